import type { ModelState, Owner } from '@mlx-gateway/protocol';

/**
 * Who may load, as a pure function: at most `maxLoadedModels` models (and, with a budget, the
 * memory of their process groups) hold capacity at once. When a start does not fit, an idle,
 * ready, gateway-owned, unpinned model is stopped to make room, one at a time, before the start
 * spawns: the lowest `priority` first, the least recently used among equals. A model is never
 * counted as free: it is admitted with its footprint (measured at its last load, else
 * estimated), and a holder counts with its measured memory once it has one.
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
  /** Memory the model counts for: measured in this run, else its footprint; unknown: 0. */
  bytes: number | undefined;
  /** `pin: true`: never evicted. */
  pinned?: boolean;
  /** Lower is evicted first (absent: 0). */
  priority?: number;
}

/** The start asking for capacity. */
export interface CapacityRequest {
  name: string;
  /** The model's footprint (measured at its last load, else estimated); unknown: 0. */
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

/**
 * The models to evict at once because the memory of the holders is over the budget: idle
 * gateway-owned unpinned models in eviction order, until what is left fits. Models already
 * stopping count as freed. One model is always left running, as a start is always granted
 * when nothing is loaded: a model larger than the whole budget may run, alone. Empty when
 * under the budget or without one.
 */
export function overBudgetVictims(
  holders: readonly Holder[],
  budgetBytes: number | undefined,
): string[] {
  if (budgetBytes === undefined) return [];
  let used = 0;
  let running = 0;
  for (const h of holders) {
    if (h.phase === 'stopping') continue;
    used += h.bytes ?? 0;
    running++;
  }
  const victims: string[] = [];
  for (const h of evictable(holders)) {
    if (used <= budgetBytes || running <= 1) break;
    victims.push(h.name);
    used -= h.bytes ?? 0;
    running--;
  }
  return victims;
}

/** Why a start that waited `limits.waitMs` is refused: the limit reached and what holds it. */
export function denialReason(
  holders: readonly Holder[],
  request: CapacityRequest,
  limits: CapacityLimits,
): string {
  const busy = holders.map((h) => `'${h.name}' (${whyHeld(h)})`).join(', ');
  const limit =
    holders.length >= limits.maxLoadedModels
      ? `maxLoadedModels=${limits.maxLoadedModels} reached`
      : `memory budget of ${mib(limits.memoryBudgetBytes ?? 0)} reached (it needs about ${mib(request.bytes ?? 0)})`;
  return `cannot load '${request.name}': ${limit} and no loaded model could be evicted within ${Math.round(limits.waitMs / 1000)}s; loaded: ${busy}`;
}

function whyHeld(h: Holder): string {
  if (h.owner === 'operator') return 'started by the operator';
  if (h.leases > 0) return `${h.leases} request${h.leases === 1 ? '' : 's'} in flight`;
  if (h.pinned && h.phase === 'ready') return 'pinned';
  return h.phase;
}

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;

function fits(holders: readonly Holder[], request: CapacityRequest, limits: CapacityLimits) {
  if (holders.length === 0) return true;
  if (holders.length >= limits.maxLoadedModels) return false;
  const budget = limits.memoryBudgetBytes;
  if (budget === undefined) return true;
  const used = holders.reduce((sum, h) => sum + (h.bytes ?? 0), 0);
  return used + (request.bytes ?? 0) <= budget;
}

/**
 * Idle, ready, gateway-owned, unpinned holders in eviction order: lowest priority first, then
 * least recently used.
 */
function evictable(holders: readonly Holder[]): Holder[] {
  return holders
    .filter((h) => h.phase === 'ready' && h.owner === 'gateway' && h.leases === 0 && !h.pinned)
    .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0) || (a.lastUsed ?? 0) - (b.lastUsed ?? 0));
}
