export {
  createClientKey,
  listClientKeys,
  removeClientKey,
  setClientLimits,
} from './client-keys.js';
export type { ClientKeyInfo } from './client-keys.js';
export type { ClientKeyRecord } from './client-key-file.js';
export { ClientKeyVerifier } from './client-key-verifier.js';
export type { ClientIdentity } from './client-key-verifier.js';
export { extractPresentedKey } from './extract-presented-key.js';
export {
  clientLimitsSchema,
  compactLimits,
  describeLimits,
  parseBudget,
  parseLimitCount,
} from './client-limits.js';
export type { ClientLimits, TokenBudget } from './client-limits.js';
export {
  INFLIGHT_TTL_MS,
  budgetWindow,
  minuteWindow,
  scopeLimitKeys,
  windowTtlMs,
} from './limit-windows.js';
export type { LimitScopeKind, LimitWindow, ScopeLimitKeys } from './limit-windows.js';
export { describeUsage, readLimitUsage } from './limit-usage.js';
export type { LimitUsage, LimitedScope, ReadCounters, WindowUsage } from './limit-usage.js';
