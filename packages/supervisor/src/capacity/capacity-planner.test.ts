import { describe, expect, it } from 'vitest';
import type { ModelController } from '../lifecycle/model-controller.js';
import type { LifecycleEvent, ModelStatus } from '../lifecycle/model-state.js';
import { initialStatus } from '../lifecycle/model-state.js';
import { TaskRegistry } from '../tasks/task-registry.js';
import { ManualClock } from '../testing/manual-clock.js';
import { CapacityPlanner } from './capacity-planner.js';
import { FootprintStore } from './footprint-store.js';
import { ModelFootprints } from './model-footprints.js';

/** A controller stand-in: records the events the planner sends it. */
function fake(name: string, status: Partial<ModelStatus> = {}, config: object = {}) {
  const events: LifecycleEvent[] = [];
  const c = {
    name,
    config,
    status: { ...initialStatus(0), ...status },
    memoryBytes: undefined as number | undefined,
    dispatch: (e: LifecycleEvent) => events.push(e),
  };
  return { c: c as unknown as ModelController & { status: ModelStatus }, events };
}

const MiB = 2 ** 20;
let clock = new ManualClock();
const tasks = () => new TaskRegistry((clock = new ManualClock()));

describe('capacity planner', () => {
  it('grants while under maxLoadedModels', () => {
    const p = new CapacityPlanner({ maxLoadedModels: 2, waitMs: 1_000 }, tasks());
    const a = fake('a');
    const b = fake('b');
    p.request(a.c);
    p.request(b.c);
    expect(a.events).toEqual([{ type: 'capacityGranted' }]);
    expect(b.events).toEqual([{ type: 'capacityGranted' }]);
  });

  it('evicts the least recently used idle gateway model, then grants when it is gone', () => {
    const p = new CapacityPlanner({ maxLoadedModels: 2, waitMs: 1_000 }, tasks());
    const older = fake('older');
    const newer = fake('newer');
    p.request(older.c);
    p.request(newer.c);
    Object.assign(older.c.status, { phase: 'ready', owner: 'gateway', leases: 0, lastUsed: 10 });
    Object.assign(newer.c.status, { phase: 'ready', owner: 'gateway', leases: 0, lastUsed: 20 });
    const third = fake('third');
    p.request(third.c);
    expect(older.events.at(-1)).toEqual({
      type: 'stop',
      reason: "evicted to make room for 'third'",
      drain: true,
    });
    expect(newer.events).toEqual([{ type: 'capacityGranted' }]);
    expect(third.events).toEqual([]);
    older.c.status.phase = 'stopping';
    p.evaluate();
    expect(newer.events).toHaveLength(1); // one eviction at a time
    p.release(older.c);
    expect(third.events).toEqual([{ type: 'capacityGranted' }]);
  });

  it('never evicts a busy or operator-owned model; denies with the reason after the wait', () => {
    const p = new CapacityPlanner({ maxLoadedModels: 2, waitMs: 5_000 }, tasks());
    const busy = fake('busy');
    const pinned = fake('pinned');
    p.request(busy.c);
    p.request(pinned.c);
    Object.assign(busy.c.status, { phase: 'ready', owner: 'gateway', leases: 2 });
    Object.assign(pinned.c.status, { phase: 'ready', owner: 'operator', leases: 0 });
    const late = fake('late');
    p.request(late.c);
    expect(busy.events).toHaveLength(1);
    expect(pinned.events).toHaveLength(1);
    clock.advance(4_999);
    expect(late.events).toEqual([]);
    clock.advance(1);
    expect(late.events).toEqual([
      {
        type: 'capacityDenied',
        reason:
          "cannot load 'late': maxLoadedModels=2 reached and no loaded model could be evicted within 5s; loaded: 'busy' (2 requests in flight), 'pinned' (started by the operator)",
      },
    ]);
  });

  it('a waiting start is granted when a busy model becomes idle and is evicted', () => {
    const p = new CapacityPlanner({ maxLoadedModels: 1, waitMs: 60_000 }, tasks());
    const a = fake('a');
    p.request(a.c);
    Object.assign(a.c.status, { phase: 'ready', owner: 'gateway', leases: 1 });
    const b = fake('b');
    p.request(b.c);
    expect(a.events).toHaveLength(1);
    a.c.status.leases = 0;
    p.evaluate();
    expect(a.events.at(-1)).toMatchObject({ type: 'stop' });
    a.c.status.phase = 'stopping';
    p.release(a.c);
    expect(b.events).toEqual([{ type: 'capacityGranted' }]);
  });

  it('respects a memory budget using the last measured size of each model', () => {
    const p = new CapacityPlanner(
      { maxLoadedModels: 5, memoryBudgetBytes: 10_000, waitMs: 60_000 },
      tasks(),
    );
    const big = fake('big');
    p.request(big.c);
    p.recordMemory(big.c, 8_000);
    Object.assign(big.c.status, { phase: 'ready', owner: 'gateway', leases: 0, lastUsed: 1 });
    const other = fake('other');
    p.request(other.c);
    expect(other.events).toEqual([{ type: 'capacityGranted' }]); // unknown size: assumed to fit
    p.recordMemory(other.c, 3_000);
    p.release(other.c);
    const again = fake('other');
    p.request(again.c); // 8000 + 3000 > 10000: big must go
    expect(big.events.at(-1)).toMatchObject({ type: 'stop' });
  });

  it('a cancelled request is dropped from the queue', () => {
    const p = new CapacityPlanner({ maxLoadedModels: 1, waitMs: 1_000 }, tasks());
    const a = fake('a');
    p.request(a.c);
    Object.assign(a.c.status, { phase: 'ready', owner: 'operator' });
    const b = fake('b');
    p.request(b.c);
    p.release(b.c);
    clock.advance(2_000);
    expect(b.events).toEqual([]);
  });

  it('admits a never-measured start with its hint: evicts before it spawns', async () => {
    const footprints = new ModelFootprints(new FootprintStore());
    await footprints.configure([
      { name: 'a', env: {}, memoryHintBytes: 300 },
      { name: 'b', env: {}, memoryHintBytes: 300 },
    ] as never);
    const p = new CapacityPlanner(
      { maxLoadedModels: 5, memoryBudgetBytes: 400, waitMs: 60_000 },
      tasks(),
      footprints,
    );
    const a = fake('a');
    p.request(a.c);
    Object.assign(a.c.status, { phase: 'ready', owner: 'gateway', leases: 0, lastUsed: 1 });
    const b = fake('b');
    p.request(b.c);
    // 'a' is not measured yet, but counts with its hint: 300 + 300 > 400.
    expect(a.events.at(-1)).toMatchObject({ type: 'stop', reason: "evicted to make room for 'b'" });
    expect(b.events).toEqual([]);
  });

  it('a measurement over the budget evicts idle models at once, pinned and busy ones never', () => {
    const evicted: string[] = [];
    const p = new CapacityPlanner(
      { maxLoadedModels: 5, memoryBudgetBytes: 1_000 * MiB, waitMs: 60_000 },
      tasks(),
      new ModelFootprints(),
      (model) => evicted.push(model),
    );
    const pinned = fake('pinned', {}, { pin: true });
    const busy = fake('busy');
    const idle = fake('idle');
    const fresh = fake('fresh');
    for (const [m, lastUsed] of [
      [pinned, 1],
      [busy, 2],
      [idle, 3],
      [fresh, 4],
    ] as const) {
      p.request(m.c);
      Object.assign(m.c.status, { phase: 'ready', owner: 'gateway', leases: 0, lastUsed });
    }
    busy.c.status.leases = 1;
    p.recordMemory(pinned.c, 400 * MiB);
    p.recordMemory(busy.c, 400 * MiB);
    p.recordMemory(idle.c, 150 * MiB);
    expect(evicted).toEqual([]);
    p.recordMemory(fresh.c, 150 * MiB); // 1100 > 1000: the least recently used idle model goes
    expect(evicted).toEqual(['idle']);
    expect(idle.events.at(-1)).toMatchObject({ type: 'stop', drain: true });
    expect(idle.events.at(-1)).toMatchObject({
      reason: 'evicted: the loaded models hold 1100 MiB, over the memory budget of 1000 MiB',
    });
    expect(pinned.events).toEqual([{ type: 'capacityGranted' }]);
    expect(busy.events).toEqual([{ type: 'capacityGranted' }]);
  });

  it('records each measurement as the footprint the next start is admitted with', () => {
    const footprints = new ModelFootprints();
    const p = new CapacityPlanner(
      { maxLoadedModels: 5, memoryBudgetBytes: 10_000, waitMs: 60_000 },
      tasks(),
      footprints,
    );
    const a = fake('a', { run: 3 });
    p.request(a.c);
    p.recordMemory(a.c, 6_000);
    expect(footprints.of('a')).toEqual({ bytes: 6_000, source: 'measured' });
    p.release(a.c);
    p.recordMemory(a.c, 9_999); // no longer a holder: not a measurement of a run
    expect(footprints.of('a')).toEqual({ bytes: 6_000, source: 'measured' });
  });

  it('a total that stayed over the budget while every model was busy evicts once one is idle', () => {
    const p = new CapacityPlanner(
      { maxLoadedModels: 5, memoryBudgetBytes: 500 * MiB, waitMs: 60_000 },
      tasks(),
    );
    const a = fake('a');
    const b = fake('b');
    for (const m of [a, b]) {
      p.request(m.c);
      Object.assign(m.c.status, { phase: 'ready', owner: 'gateway', leases: 1, lastUsed: 1 });
      p.recordMemory(m.c, 300 * MiB);
    }
    expect(a.events).toEqual([{ type: 'capacityGranted' }]);
    a.c.status.leases = 0;
    p.evaluate(); // what the supervisor calls when a model's last lease ends
    expect(a.events.at(-1)).toMatchObject({ type: 'stop', drain: true });
    expect(b.events).toEqual([{ type: 'capacityGranted' }]);
  });
});
