import type { ModelController } from '../lifecycle/model-controller.js';
import type { CapacityPlanner } from './capacity-planner.js';

/**
 * Measures the resident memory of the models that hold capacity: one model as soon as it is
 * ready, and all of them periodically. Each figure goes to the planner, which records it as the
 * model's footprint and evicts at once when the total is over the budget.
 */
export class MemoryWatch {
  private sampling = false;

  constructor(
    private readonly planner: CapacityPlanner,
    private readonly groupBytes: (pgid: number) => Promise<number>,
  ) {}

  async measure(c: ModelController): Promise<void> {
    const { pid, run } = c.status;
    if (pid === undefined) return;
    let bytes: number;
    try {
      bytes = await this.groupBytes(pid);
    } catch {
      return; // the process table could not be read this time: no measurement
    }
    // The model stopped or started again while we measured: the figure belongs to no run.
    if (c.status.run !== run || c.status.pid !== pid) return;
    c.memoryBytes = bytes;
    this.planner.recordMemory(c, bytes);
  }

  /** Every holder, one after the other; a sample still running makes the next one a no-op. */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      for (const c of this.planner.loaded) await this.measure(c);
    } finally {
      this.sampling = false;
    }
  }
}
