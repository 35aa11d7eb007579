import type { ModelState, Owner } from '@mlx-gateway/protocol';

/**
 * Who may load, as a pure function: at most `maxLoadedModels` models (and, with a budget, the
 * memory of their process groups) hold capacity at once. When a start does not fit, the least
 * recently used idle gateway-owned model is stopped to make room, one at a time.
 */

export interface CapacityLimits {
  maxLoadedModels: number;
  memoryBudgetBytes?: number;
  /** How long a start waits for room before it is refused. */
  waitMs: number;
}

/** A model that holds capacity, as the decision sees it. */
export interface Holder {
  name: string;
  phase: ModelState;
  owner: Owner | undefined;
  leases: number;
  lastUsed: number | undefined;
  /** Measured memory of its group, else the last known size of the model, else unknown. */
  bytes: number | undefined;
}

/** The start asking for capacity. */
export interface CapacityRequest {
  name: string;
  /** Last known memory of the model; unknown sizes are assumed to fit. */
  bytes: number | undefined;
}

export type CapacityDecision =
  | { kind: 'grant' }
  /** Stop `victim` to make room; the request waits for it to be gone. */
  | { kind: 'evict'; victim: string; reason: string }
  /** An eviction is under way, or nothing can be evicted (yet). */
  | { kind: 'wait' };

export function decideCapacity(
  holders: readonly Holder[],
  request: CapacityRequest,
  limits: CapacityLimits,
): CapacityDecision {
  if (fits(holders, request, limits)) return { kind: 'grant' };
  // One eviction at a time; its release re-evaluates.
  if (holders.some((h) => h.phase === 'stopping')) return { kind: 'wait' };
  const victim = evictable(holders)[0];
  if (!victim) return { kind: 'wait' };
  return {
    kind: 'evict',
    victim: victim.name,
    reason: `evicted to make room for '${request.name}'`,
  };
}

/** Why a start that waited `limits.waitMs` is refused: the limit reached and what holds it. */
export function denialReason(
  holders: readonly Holder[],
  request: CapacityRequest,
  limits: CapacityLimits,
): string {
  const busy = holders
    .map((h) => {
      const why =
        h.owner === 'operator'
          ? 'started by the operator'
          : h.leases > 0
            ? `${h.leases} request${h.leases === 1 ? '' : 's'} in flight`
            : h.phase;
      return `'${h.name}' (${why})`;
    })
    .join(', ');
  const limit =
    holders.length >= limits.maxLoadedModels
      ? `maxLoadedModels=${limits.maxLoadedModels} reached`
      : `memory budget of ${Math.round((limits.memoryBudgetBytes ?? 0) / 2 ** 20)} MiB reached`;
  return `cannot load '${request.name}': ${limit} and no loaded model could be evicted within ${Math.round(limits.waitMs / 1000)}s; loaded: ${busy}`;
}

function fits(holders: readonly Holder[], request: CapacityRequest, limits: CapacityLimits) {
  if (holders.length === 0) return true;
  if (holders.length >= limits.maxLoadedModels) return false;
  const budget = limits.memoryBudgetBytes;
  if (budget === undefined) return true;
  const used = holders.reduce((sum, h) => sum + (h.bytes ?? 0), 0);
  return used + (request.bytes ?? 0) <= budget;
}

/** Idle, ready, gateway-owned holders, least recently used first. */
function evictable(holders: readonly Holder[]): Holder[] {
  return holders
    .filter((h) => h.phase === 'ready' && h.owner === 'gateway' && h.leases === 0)
    .sort((a, b) => (a.lastUsed ?? 0) - (b.lastUsed ?? 0));
}
