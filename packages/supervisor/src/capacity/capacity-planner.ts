import type { Timer } from '@mlx-gateway/shared/clock';
import type { ModelController } from '../lifecycle/model-controller.js';
import type { TaskRegistry } from '../tasks/task-registry.js';
import { decideCapacity, denialReason } from './capacity-decision.js';
import type { CapacityLimits, CapacityRequest, Holder } from './capacity-decision.js';

export type { CapacityLimits } from './capacity-decision.js';

interface Pending {
  controller: ModelController;
  deadline: Timer;
}

/**
 * Carries out the capacity decisions (capacity-decision.ts): keeps who holds capacity and who
 * waits for it, grants or evicts as decided, and refuses a start that waited `waitMs`. A model
 * holds capacity from the moment it is allowed to spawn until its process group is gone.
 */
export class CapacityPlanner {
  private readonly holders = new Set<ModelController>();
  private readonly queue: Pending[] = [];
  /** Measured memory per controller, and per model name across runs (the next start's estimate). */
  private readonly measuredBytes = new Map<ModelController, number>();
  private readonly lastKnownBytes = new Map<string, number>();

  constructor(
    private readonly limits: CapacityLimits,
    private readonly tasks: TaskRegistry,
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
    if (this.holders.delete(c)) this.evaluate();
  }

  /** Memory of a model measured by the caller (pidusage over its group). */
  recordMemory(c: ModelController, bytes: number): void {
    this.measuredBytes.set(c, bytes);
    if (bytes > 0) this.lastKnownBytes.set(c.name, bytes);
  }

  get loaded(): ModelController[] {
    return [...this.holders];
  }

  /** Re-checks the queue (also called when a model becomes idle and so evictable). */
  evaluate(): void {
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
          if (h.name === decision.victim)
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
      bytes: this.measuredBytes.get(h) ?? this.lastKnownBytes.get(h.name),
    }));
  }

  private requestOf(p: Pending): CapacityRequest {
    return { name: p.controller.name, bytes: this.lastKnownBytes.get(p.controller.name) };
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
