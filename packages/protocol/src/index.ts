export * from './messages.js';
export * from './error-codes.js';
export { SupervisorClient } from './control-client.js';
export type {
  RequestOptions,
  SupervisorClientEvents,
  SupervisorClientOptions,
} from './control-client.js';
export { ControlServer } from './control-server.js';
export type { CommandHandler, ControlServerOptions } from './control-server.js';
export { EventPublisher } from './event-publisher.js';
export type { EventPublisherOptions } from './event-publisher.js';
export { ModelDirectory } from './model-directory.js';
export type { ModelDirectoryEvents, ModelDirectoryOptions } from './model-directory.js';
export type { WaitForOptions } from './model-waiters.js';
export { curveAvailable, generateCurveKeyPair, isCurveKey, requireCurve } from './curve.js';
export type { CurveClientOptions, CurveKeyPair, CurveServerOptions } from './curve.js';
export { ENDPOINT_IN_USE } from './ipc-endpoint.js';
export type { WarningHandler } from './warning.js';
export * from './metrics-snapshot.js';
export { ConfigSubscriber } from './config-subscriber.js';
export type { ConfigSubscriberOptions } from './config-subscriber.js';
