import type { Timer } from '@mlx-gateway/shared/clock';
import type { ModelController } from '../lifecycle/model-controller.js';
import type { TaskRegistry } from '../tasks/task-registry.js';
import { decideCapacity, denialReason, overBudgetVictims } from './capacity-decision.js';
import type { CapacityLimits, CapacityRequest, Holder } from './capacity-decision.js';
import { ModelFootprints } from './model-footprints.js';

export type { CapacityLimits } from './capacity-decision.js';

interface Pending {
  controller: ModelController;
  deadline: Timer;
}

/**
 * Carries out the capacity decisions (capacity-decision.ts): keeps who holds capacity and who
 * waits for it, grants or evicts as decided, and refuses a start that waited `waitMs`. A model
 * holds capacity from the moment it is allowed to spawn until its process group is gone. Each
 * measurement of a holder's memory is recorded as its footprint, and a total found over the
 * budget evicts idle models at once (not only at the next start).
 */
export class CapacityPlanner {
  private readonly holders = new Set<ModelController>();
  private readonly queue: Pending[] = [];
  /** Memory measured in the current run of each holder (its footprint until measured). */
  private readonly measuredBytes = new Map<ModelController, number>();

  constructor(
    private readonly limits: CapacityLimits,
    private readonly tasks: TaskRegistry,
    readonly footprints: ModelFootprints = new ModelFootprints(),
    private readonly onEvict: (model: string, reason: string) => void = () => {},
  ) {}

  request(c: ModelController): void {
    if (this.holders.has(c) || this.queue.some((p) => p.controller === c)) return;
    const pending: Pending = {
      controller: c,
      deadline: this.tasks.timeout(this.limits.waitMs, () => this.deny(pending)),
    };
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
      this.queue[i]!.deadline.cancel();
      this.queue.splice(i, 1);
    }
    this.measuredBytes.delete(c);
    if (this.holders.delete(c)) this.evaluate();
  }

  /**
   * Memory of a holder measured by the caller (pidusage over its group): recorded as the
   * model's footprint, then the budget is enforced at once.
   */
  recordMemory(c: ModelController, bytes: number): void {
    if (!this.holders.has(c)) return;
    this.measuredBytes.set(c, bytes);
    this.footprints.record(c.name, c.status.run, bytes, this.tasks.now());
    this.enforceBudget();
  }

  /** Evicts idle models while the holders' memory is over the budget. */
  enforceBudget(): void {
    const budget = this.limits.memoryBudgetBytes;
    const views = this.holderViews();
    const victims = overBudgetVictims(views, budget);
    if (victims.length === 0) return;
    const used = views.reduce((sum, h) => sum + (h.phase === 'stopping' ? 0 : (h.bytes ?? 0)), 0);
    const reason = `evicted: the loaded models hold ${mib(used)}, over the memory budget of ${mib(budget ?? 0)}`;
    for (const h of this.holders) {
      if (!victims.includes(h.name)) continue;
      this.onEvict(h.name, reason);
      h.dispatch({ type: 'stop', reason, drain: true });
    }
  }

  get loaded(): ModelController[] {
    return [...this.holders];
  }

  /**
   * Re-checks the budget and the queue (also called when a model becomes idle and so
   * evictable: a total that stayed over the budget while every model was busy is dealt with
   * the moment one is not).
   */
  evaluate(): void {
    this.enforceBudget();
    const head = this.queue[0];
    if (!head) return;
    const decision = decideCapacity(this.holderViews(), this.requestOf(head), this.limits);
    switch (decision.kind) {
      case 'grant':
        this.queue.shift();
        head.deadline.cancel();
        this.holders.add(head.controller);
        head.controller.dispatch({ type: 'capacityGranted' });
        this.evaluate();
        return;
      case 'evict':
        for (const h of this.holders) {
          if (h.name !== decision.victim) continue;
          this.onEvict(h.name, decision.reason);
          h.dispatch({ type: 'stop', reason: decision.reason, drain: true });
        }
        return;
      case 'wait':
        return;
    }
  }

  private holderViews(): Holder[] {
    return [...this.holders].map((h) => ({
      name: h.name,
      phase: h.status.phase,
      owner: h.status.owner,
      leases: h.status.leases,
      lastUsed: h.status.lastUsed,
      bytes: this.holderBytes(h),
      pinned: h.config.pin === true,
      priority: h.config.priority ?? 0,
    }));
  }

  /**
   * A ready model counts with what it was measured at in this run; one still loading (or not
   * yet measured) with at least its footprint, since its memory is still growing.
   */
  private holderBytes(h: ModelController): number | undefined {
    const measured = this.measuredBytes.get(h);
    if (measured !== undefined && h.status.phase === 'ready') return measured;
    const footprint = this.footprints.of(h.name)?.bytes;
    if (measured === undefined) return footprint;
    return Math.max(measured, footprint ?? 0);
  }

  private requestOf(p: Pending): CapacityRequest {
    return { name: p.controller.name, bytes: this.footprints.of(p.controller.name)?.bytes };
  }

  private deny(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i < 0) return;
    this.queue.splice(i, 1);
    const reason = denialReason(this.holderViews(), this.requestOf(p), this.limits);
    p.controller.dispatch({ type: 'capacityDenied', reason });
    this.evaluate();
  }
}

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
