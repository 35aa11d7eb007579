import { describe, expect, it } from 'vitest';
import { BatchedCounters } from './batched-counters.js';
import { MemoryCounters } from './memory-counters.js';
import type { AdjustOp, CounterOp } from './memory-counters.js';

/** Counters in memory reached through calls the test answers one at a time. */
class SlowCounters {
  readonly memory = new MemoryCounters(() => 0);
  readonly calls: string[][] = [];
  private readonly answers: Array<() => void> = [];

  incrementMany(ops: readonly CounterOp[]): Promise<number[]> {
    this.calls.push(ops.map((op) => `${op.key}+${op.by}`));
    return new Promise((resolve) =>
      this.answers.push(() => resolve(this.memory.incrementMany(ops))),
    );
  }

  adjustMany(ops: readonly AdjustOp[]): Promise<void> {
    this.calls.push(
      ops.map((op) => `${op.key}${op.by >= 0 ? '+' : ''}${op.by}${op.floor ? '!' : ''}`),
    );
    return new Promise((resolve) => this.answers.push(() => resolve(this.memory.adjustMany(ops))));
  }

  /** Answers the oldest call still out. */
  async answer(): Promise<void> {
    this.answers.shift()!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
}

const inc = (key: string, by: number): CounterOp => ({ key, by, ttlMs: 60_000 });

describe('BatchedCounters', () => {
  it('sends a lone check at once, and the checks that came meanwhile as one call', async () => {
    const slow = new SlowCounters();
    const counters = new BatchedCounters(slow, 32);
    const first = counters.incrementMany([inc('rpm', 1), inc('tpm', 100)]);
    const second = counters.incrementMany([inc('rpm', 1), inc('tpm', 50)]);
    const third = counters.incrementMany([inc('rpm', 1), inc('model', 7)]);
    expect(slow.calls).toEqual([['rpm+1', 'tpm+100']]);
    await slow.answer();
    expect(await first).toEqual([1, 100]);
    // One call for the two that waited: each counter once, by the sum.
    expect(slow.calls[1]).toEqual(['rpm+2', 'tpm+50', 'model+7']);
    await slow.answer();
    // As if one after the other, in arrival order.
    expect(await second).toEqual([2, 150]);
    expect(await third).toEqual([3, 7]);
  });

  it('a failed call fails every check in it; the next ones go on', async () => {
    const counters = new BatchedCounters(
      {
        incrementMany: () => Promise.reject(new Error('Connection is closed.')),
        adjustMany: () => Promise.resolve(),
      },
      32,
    );
    await expect(counters.incrementMany([inc('a', 1)])).rejects.toThrow('Connection is closed.');
    await expect(counters.incrementMany([inc('a', 1)])).rejects.toThrow('Connection is closed.');
  });

  it('merges corrections per counter (summed, floored where asked) and keeps calls under maxKeys', async () => {
    const slow = new SlowCounters();
    const counters = new BatchedCounters(slow, 2);
    const setup = counters.incrementMany([inc('tpm', 900), inc('slot', 2)]);
    await slow.answer();
    await setup;
    const a = counters.adjustMany([{ key: 'tpm', by: -800, floor: false }]);
    const b = counters.adjustMany([
      { key: 'tpm', by: -50, floor: false },
      { key: 'slot', by: -1, floor: true },
    ]);
    const c = counters.adjustMany([{ key: 'slot', by: -5, floor: true }]);
    const d = counters.adjustMany([{ key: 'other', by: 3, floor: false }]);
    expect(slow.calls[1]).toEqual(['tpm-800']);
    await slow.answer();
    await a;
    // b and c share their two counters; d's third counter waits for the next call.
    expect(slow.calls[2]).toEqual(['tpm-50', 'slot-6!']);
    await slow.answer();
    await Promise.all([b, c]);
    expect(slow.calls[3]).toEqual(['other+3']);
    await slow.answer();
    await d;
    expect(slow.memory.counter('tpm')).toBe(50);
    expect(slow.memory.counter('slot')).toBe(0);
  });
});
