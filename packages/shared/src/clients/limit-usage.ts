import type { ClientLimits } from './client-limits.js';
import { budgetWindow, minuteWindow, scopeLimitKeys } from './limit-windows.js';
import type { LimitScopeKind } from './limit-windows.js';

/** A count in a window that ends at `resetAt` (ISO 8601, UTC). */
export interface WindowUsage {
  used: number;
  limit: number;
  resetAt: string;
}

/**
 * A client key's or a model's usage against each of its limits (only the limits it has):
 * requests and tokens in the current UTC minute, requests in flight now, tokens of the
 * budget's current UTC day or month. The shape of `keys list-clients --json` and of the
 * proxy's GET /v1/gateway/limits.
 */
export interface LimitUsage {
  rpm?: WindowUsage;
  tpm?: WindowUsage;
  concurrency?: { used: number; limit: number };
  budget?: WindowUsage & { per: 'day' | 'month' };
}

/** One client key or model with limits. */
export interface LimitedScope {
  kind: LimitScopeKind;
  name: string;
  limits: ClientLimits;
}

/** Reads counters (0 when absent), in the order of `keys`. */
export type ReadCounters = (keys: readonly string[]) => Promise<readonly number[]>;

/** The counters a scope's usage is read from, each with where its value goes. */
interface Wanted {
  key: string;
  put(usage: LimitUsage, value: number): void;
}

function wanted(scope: LimitedScope, now: number): Wanted[] {
  const { limits } = scope;
  const keys = scopeLimitKeys(scope.kind, scope.name);
  const minute = minuteWindow(now);
  const minuteReset = new Date(minute.resetAt).toISOString();
  const out: Wanted[] = [];
  const { rpm, tpm, concurrency, budget } = limits;
  if (rpm !== undefined) {
    out.push({
      key: keys.requests(minute),
      put: (u, used) => (u.rpm = { used, limit: rpm, resetAt: minuteReset }),
    });
  }
  if (tpm !== undefined) {
    out.push({
      key: keys.tokens(minute),
      put: (u, used) => (u.tpm = { used, limit: tpm, resetAt: minuteReset }),
    });
  }
  if (concurrency !== undefined) {
    out.push({
      key: keys.inflight,
      put: (u, used) => (u.concurrency = { used, limit: concurrency }),
    });
  }
  if (budget !== undefined) {
    const window = budgetWindow(budget.per, now);
    const resetAt = new Date(window.resetAt).toISOString();
    out.push({
      key: keys.budget(window),
      put: (u, used) => (u.budget = { used, limit: budget.tokens, per: budget.per, resetAt }),
    });
  }
  return out;
}

/**
 * The usage of each scope at `now`, read in one call of `read` from the counters the proxy
 * counts in (limit-windows.ts). A count below 0 (a correction that came after its window's
 * counter was gone and made again) is shown as 0, as the limiter treats it.
 */
export async function readLimitUsage(
  read: ReadCounters,
  scopes: readonly LimitedScope[],
  now: number,
): Promise<LimitUsage[]> {
  const perScope = scopes.map((scope) => wanted(scope, now));
  const values = await read(perScope.flat().map((w) => w.key));
  let at = 0;
  return perScope.map((list) => {
    const usage: LimitUsage = {};
    for (const w of list) w.put(usage, Math.max(0, Number(values[at++] ?? 0)));
    return usage;
  });
}

/** `3/60 rpm, 120/1000 tpm, 0/2 in flight, 500/10000 this day`: usage against each limit. */
export function describeUsage(usage: LimitUsage): string {
  const parts: string[] = [];
  if (usage.rpm !== undefined) parts.push(`${usage.rpm.used}/${usage.rpm.limit} rpm`);
  if (usage.tpm !== undefined) parts.push(`${usage.tpm.used}/${usage.tpm.limit} tpm`);
  if (usage.concurrency !== undefined) {
    parts.push(`${usage.concurrency.used}/${usage.concurrency.limit} in flight`);
  }
  if (usage.budget !== undefined) {
    parts.push(`${usage.budget.used}/${usage.budget.limit} this ${usage.budget.per}`);
  }
  return parts.join(', ');
}
