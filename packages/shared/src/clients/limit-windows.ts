/**
 * Where the state store keeps a client key's limit counters. Fixed windows, each counter keyed
 * by its window's number (minutes, UTC days or UTC months since the epoch): INCRBY and an
 * expiry set when the counter is created are all a check costs, on the embedded store and on
 * Redis alike, and several proxies on one Redis count in the same counters. The proxy writes
 * them; `mlx-gateway keys list-clients` and the proxy's GET /v1/gateway/limits read them
 * (limit-usage.ts).
 */

/** A counting window: its key part and when it ends (epoch ms). */
export interface LimitWindow {
  id: string;
  resetAt: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export function minuteWindow(now: number): LimitWindow {
  const n = Math.floor(now / MINUTE_MS);
  return { id: `m${n}`, resetAt: (n + 1) * MINUTE_MS };
}

export function budgetWindow(per: 'day' | 'month', now: number): LimitWindow {
  if (per === 'day') {
    const n = Math.floor(now / DAY_MS);
    return { id: `d${n}`, resetAt: (n + 1) * DAY_MS };
  }
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { id: `M${year * 12 + month}`, resetAt: Date.UTC(year, month + 1, 1) };
}

/** Whose limits: a client key's (every request of the key) or a model's (every caller's). */
export type LimitScopeKind = 'client' | 'model';

/** The counter keys of one client key or one model. */
export interface ScopeLimitKeys {
  requests(window: LimitWindow): string;
  tokens(window: LimitWindow): string;
  budget(window: LimitWindow): string;
  readonly inflight: string;
}

/**
 * Where the counters of a client key (`limits:<client>:…`) or a model (`model-limits:<model>:…`)
 * are kept: the one naming the proxy counts in and every reader reads (client names are
 * letters, digits and `_ . @ -`; model names are the config's).
 */
export function scopeLimitKeys(kind: LimitScopeKind, name: string): ScopeLimitKeys {
  const prefix = kind === 'client' ? `limits:${name}:` : `model-limits:${name}:`;
  return {
    requests: (window) => `${prefix}rpm:${window.id}`,
    tokens: (window) => `${prefix}tpm:${window.id}`,
    budget: (window) => `${prefix}budget:${window.id}`,
    inflight: `${prefix}inflight`,
  };
}

/**
 * How long an in-flight counter lives without a change: a proxy that died with requests in
 * flight leaves them counted until then, never for ever.
 */
export const INFLIGHT_TTL_MS = 15 * 60_000;

/** A window counter's expiry: its window, plus a minute for clocks a little apart. */
export function windowTtlMs(window: LimitWindow, now: number): number {
  return window.resetAt - now + MINUTE_MS;
}
