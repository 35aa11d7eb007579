export { openStateStore } from './open-state-store.js';
export type { OpenStateStoreOptions } from './open-state-store.js';
export type { StateStore, StateStoreHealth, StateScript, StreamEntry } from './state-store.js';
export { openRedisClient } from './redis-client.js';
