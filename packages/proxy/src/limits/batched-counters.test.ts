import { describe, expect, it } from 'vitest';
import { BatchedCounters, CARRY_WAIT_MS } from './batched-counters.js';
import { MemoryCounters } from './memory-counters.js';
import type { AdjustOp, CounterOp } from './memory-counters.js';

/** Counters in memory reached through calls the test answers one at a time. */
class SlowCounters {
  readonly memory = new MemoryCounters(() => 0);
  readonly calls: string[][] = [];
  private readonly answers: Array<() => void> = [];

  step(adjusts: readonly AdjustOp[], increments: readonly CounterOp[]): Promise<number[]> {
    this.calls.push([
      ...adjusts.map((op) => `${op.key}${op.by >= 0 ? '+' : ''}${op.by}${op.floor ? '!' : ''}`),
      ...increments.map((op) => `${op.key}+=${op.by}`),
    ]);
    return new Promise((resolve) =>
      this.answers.push(() => {
        this.memory.adjustMany(adjusts);
        resolve(this.memory.incrementMany(increments));
      }),
    );
  }

  /** Answers the oldest call still out. */
  async answer(): Promise<void> {
    this.answers.shift()!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

/** Timers the test fires. */
function manualLater() {
  const due: Array<{ ms: number; fn: () => void }> = [];
  return {
    due,
    later: (ms: number, fn: () => void) => void due.push({ ms, fn }),
    fire: () => due.splice(0).forEach((t) => t.fn()),
  };
}

const inc = (key: string, by: number): CounterOp => ({ key, by, ttlMs: 60_000 });

describe('BatchedCounters', () => {
  it('sends a lone check at once, and the checks that came meanwhile as one call', async () => {
    const slow = new SlowCounters();
    const counters = new BatchedCounters(slow, { maxKeys: 32, later: manualLater().later });
    const first = counters.incrementMany([inc('rpm', 1), inc('tpm', 100)]);
    const second = counters.incrementMany([inc('rpm', 1), inc('tpm', 50)]);
    const third = counters.incrementMany([inc('rpm', 1), inc('model', 7)]);
    expect(slow.calls).toEqual([['rpm+=1', 'tpm+=100']]);
    await slow.answer();
    expect(await first).toEqual([1, 100]);
    // One call for the two that waited: each counter once, by the sum.
    expect(slow.calls[1]).toEqual(['rpm+=2', 'tpm+=50', 'model+=7']);
    await slow.answer();
    // As if one after the other, in arrival order.
    expect(await second).toEqual([2, 150]);
    expect(await third).toEqual([3, 7]);
  });

  it('corrections ride with the next check, merged per counter; alone after a short wait', async () => {
    const slow = new SlowCounters();
    const timers = manualLater();
    const counters = new BatchedCounters(slow, { maxKeys: 32, later: timers.later });
    const setup = counters.incrementMany([inc('tpm', 900), inc('slot', 2)]);
    await slow.answer();
    await setup;
    const a = counters.adjustMany([{ key: 'tpm', by: -800, floor: false }]);
    const b = counters.adjustMany([
      { key: 'tpm', by: -50, floor: false },
      { key: 'slot', by: -1, floor: true },
    ]);
    expect(slow.calls).toHaveLength(1); // waiting for a check to carry them
    expect(timers.due.map((t) => t.ms)).toEqual([CARRY_WAIT_MS]);
    const check = counters.incrementMany([inc('tpm', 10)]);
    expect(slow.calls[1]).toEqual(['tpm-850', 'slot-1!', 'tpm+=10']);
    await slow.answer();
    await Promise.all([a, b]);
    expect(await check).toEqual([60]); // 900 - 850 + 10: the corrections first
    timers.fire(); // nothing left to send
    expect(slow.calls).toHaveLength(2);
    const c = counters.adjustMany([{ key: 'slot', by: -5, floor: true }]);
    timers.fire();
    expect(slow.calls[2]).toEqual(['slot-5!']);
    await slow.answer();
    await c;
    expect(slow.memory.counter('slot')).toBe(0);
  });

  it('a failed call fails everything in it; the next ones go on', async () => {
    const counters = new BatchedCounters(
      { step: () => Promise.reject(new Error('Connection is closed.')) },
      { maxKeys: 32, later: manualLater().later },
    );
    await expect(counters.incrementMany([inc('a', 1)])).rejects.toThrow('Connection is closed.');
    await expect(counters.incrementMany([inc('a', 1)])).rejects.toThrow('Connection is closed.');
  });

  it('keeps each call under maxKeys counters of each kind', async () => {
    const slow = new SlowCounters();
    const counters = new BatchedCounters(slow, { maxKeys: 2, later: manualLater().later });
    const first = counters.incrementMany([inc('a', 1)]);
    const rest = [
      counters.incrementMany([inc('a', 1), inc('b', 1)]),
      counters.incrementMany([inc('c', 1)]),
    ];
    await slow.answer();
    await first;
    expect(slow.calls[1]).toEqual(['a+=1', 'b+=1']);
    await slow.answer();
    expect(slow.calls[2]).toEqual(['c+=1']);
    await slow.answer();
    expect(await Promise.all(rest)).toEqual([[2, 1], [1]]);
  });
});
