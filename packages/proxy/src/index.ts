export { startProxy } from './server.js';
export { compileUpstreamParser } from './upstream/parser-warmup.js';
export type { RunningProxy, StartProxyOptions } from './server.js';
export type { ProxyReload } from './config-follower.js';
export { createApp } from './app.js';
export { checkProxyListen, isLoopbackHost } from './auth/listen-policy.js';
export { OPERATOR_KEY_NAME } from './dashboard/operator-key.js';
export { LIMIT_USAGE_PATH } from './routes/limit-usage-route.js';
export type { LimitUsageBody } from './routes/limit-usage-route.js';
export type { AppDeps } from './app.js';
export { ModelRouter } from './routing/model-router.js';
export type { MatchKind, Resolution, Target } from './routing/target.js';
export type { EnsureOptions, LeaseClaim, ModelSupervisor } from './supervisor/model-supervisor.js';
export { SupervisorAdapter } from './supervisor/supervisor-adapter.js';
export type {
  ControlClient,
  ModelView,
  SupervisorAdapterOptions,
} from './supervisor/supervisor-adapter.js';
export { connectSupervisor } from './supervisor/connect-supervisor.js';
export type { ResolveSecret } from './backends/secret-cache.js';
export type { Clock, Timer } from '@mlx-gateway/shared/clock';
export { systemClock } from '@mlx-gateway/shared/clock';
export type { ProxyLogger } from './logging/logger.js';
// Observability (issue 13): the audit log, the metrics and the live events.
export * from './audit/index.js';
export * from './metrics/index.js';
export * from './events/index.js';
export { openAuditWriter, requestEndHandler } from './http/request-end.js';
export type { RequestEndTargets } from './http/request-end.js';
