import { describe, expect, it } from 'vitest';
import type { ModelController } from '../lifecycle/model-controller.js';
import { TaskRegistry } from '../tasks/task-registry.js';
import { ManualClock } from '../testing/manual-clock.js';
import { CapacityPlanner } from './capacity-planner.js';
import { MemoryWatch } from './memory-watch.js';

function controller(name: string, pid: number) {
  const c = {
    name,
    config: {},
    status: { phase: 'ready', owner: 'gateway', leases: 0, run: 1, pid, lastUsed: 0 },
    memoryBytes: undefined as number | undefined,
    dispatch: () => {},
  };
  return c as unknown as ModelController;
}

describe('memory watch', () => {
  it('records what it measures, skips a figure whose process changed meanwhile or failed', async () => {
    const planner = new CapacityPlanner(
      { maxLoadedModels: 5, waitMs: 1_000 },
      new TaskRegistry(new ManualClock()),
    );
    const a = controller('a', 10);
    const b = controller('b', 20);
    const c = controller('c', 30);
    for (const m of [a, b, c]) planner.request(m);
    const watch = new MemoryWatch(planner, (pgid) => {
      if (pgid === 20) Object.assign(b.status, { run: 2, pid: 21 }); // restarted meanwhile
      if (pgid === 30) return Promise.reject(new Error('ps failed'));
      return Promise.resolve(pgid * 1_000);
    });
    await watch.sample();
    expect(a.memoryBytes).toBe(10_000);
    expect(planner.footprints.of('a')).toEqual({ bytes: 10_000, source: 'measured' });
    expect(b.memoryBytes).toBeUndefined();
    expect(planner.footprints.of('b')).toBeUndefined();
    expect(c.memoryBytes).toBeUndefined();
  });
});
