import type { ModelController } from '../lifecycle/model-controller.js';
import type { TaskRegistry } from '../tasks/task-registry.js';

export interface CapacityLimits {
  maxLoadedModels: number;
  memoryBudgetBytes?: number;
  /** How long a start waits for room before it is refused. */
  waitMs: number;
}

interface Pending {
  controller: ModelController;
  deadline?: NodeJS.Timeout;
}

/**
 * Decides who may load: at most `maxLoadedModels` models (and, with a budget, the memory of
 * their process groups) hold capacity at once. A model holds capacity from the moment it is
 * allowed to spawn until its process group is gone. When a start does not fit, the least
 * recently used idle gateway-owned model is stopped to make room; if nothing can be evicted, the
 * start waits up to `waitMs` and is then refused with the reason.
 */
export class CapacityPlanner {
  private readonly holders = new Set<ModelController>();
  private readonly queue: Pending[] = [];
  /** Last measured memory per model name, kept across runs as the estimate for the next start. */
  private readonly lastKnownBytes = new Map<string, number>();

  constructor(
    private readonly limits: CapacityLimits,
    private readonly tasks: TaskRegistry,
  ) {}

  request(c: ModelController): void {
    if (this.holders.has(c) || this.queue.some((p) => p.controller === c)) return;
    const pending: Pending = { controller: c };
    pending.deadline = this.tasks.setTimeout(() => this.deny(pending), this.limits.waitMs);
    this.queue.push(pending);
    this.evaluate();
  }

  /** A model adopted from an earlier supervisor holds capacity without asking. */
  adopted(c: ModelController): void {
    this.holders.add(c);
  }

  release(c: ModelController): void {
    const i = this.queue.findIndex((p) => p.controller === c);
    if (i >= 0) {
      this.tasks.clearTimeout(this.queue[i]!.deadline);
      this.queue.splice(i, 1);
    }
    if (this.holders.delete(c)) this.evaluate();
  }

  /** Memory of a model measured by the caller (pidusage over its group). */
  recordMemory(c: ModelController, bytes: number): void {
    c.memoryBytes = bytes;
    if (bytes > 0) this.lastKnownBytes.set(c.name, bytes);
  }

  get loaded(): ModelController[] {
    return [...this.holders];
  }

  /** Re-checks the queue (also called when a model becomes idle and so evictable). */
  evaluate(): void {
    const head = this.queue[0];
    if (!head) return;
    if (this.fits(head.controller)) {
      this.queue.shift();
      this.tasks.clearTimeout(head.deadline);
      this.holders.add(head.controller);
      head.controller.dispatch({ type: 'capacityGranted' });
      this.evaluate();
      return;
    }
    // Make room: one eviction at a time; its release re-evaluates.
    if ([...this.holders].some((h) => h.status.phase === 'stopping')) return;
    const victim = this.evictable()[0];
    if (victim) {
      victim.dispatch({
        type: 'stop',
        reason: `evicted to make room for '${head.controller.name}'`,
        drain: true,
      });
    }
  }

  private fits(c: ModelController): boolean {
    if (this.holders.size === 0) return true;
    if (this.holders.size >= this.limits.maxLoadedModels) return false;
    const budget = this.limits.memoryBudgetBytes;
    if (budget === undefined) return true;
    return this.usedBytes() + (this.lastKnownBytes.get(c.name) ?? 0) <= budget;
  }

  private usedBytes(): number {
    let used = 0;
    for (const h of this.holders) used += h.memoryBytes ?? this.lastKnownBytes.get(h.name) ?? 0;
    return used;
  }

  /** Idle, ready, gateway-owned holders, least recently used first. */
  private evictable(): ModelController[] {
    return [...this.holders]
      .filter(
        (h) => h.status.phase === 'ready' && h.status.owner === 'gateway' && h.status.leases === 0,
      )
      .sort((a, b) => (a.status.lastUsed ?? 0) - (b.status.lastUsed ?? 0));
  }

  private deny(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i < 0) return;
    this.queue.splice(i, 1);
    const busy = [...this.holders]
      .map((h) => {
        const s = h.status;
        const why =
          s.owner === 'operator'
            ? 'started by the operator'
            : s.leases > 0
              ? `${s.leases} request${s.leases === 1 ? '' : 's'} in flight`
              : s.phase;
        return `'${h.name}' (${why})`;
      })
      .join(', ');
    const limit =
      this.holders.size >= this.limits.maxLoadedModels
        ? `maxLoadedModels=${this.limits.maxLoadedModels} reached`
        : `memory budget of ${Math.round((this.limits.memoryBudgetBytes ?? 0) / 2 ** 20)} MiB reached`;
    const reason = `cannot load '${p.controller.name}': ${limit} and no loaded model could be evicted within ${Math.round(this.limits.waitMs / 1000)}s; loaded: ${busy}`;
    p.controller.dispatch({ type: 'capacityDenied', reason });
    this.evaluate();
  }
}
