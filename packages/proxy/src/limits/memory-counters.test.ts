import { describe, expect, it } from 'vitest';
import { MemoryCounters } from './memory-counters.js';

describe('MemoryCounters', () => {
  it('counts with an expiry set when the counter is created, and sweeps expired ones', () => {
    let now = 1_000;
    const counters = new MemoryCounters(() => now);
    expect(counters.incrementMany([{ key: 'a', by: 2, ttlMs: 100 }])).toEqual([2]);
    now += 50;
    // The expiry is not moved by a later increment; several counters in one call.
    expect(
      counters.incrementMany([
        { key: 'a', by: 3, ttlMs: 100 },
        { key: 'b', by: 1, ttlMs: 1_000 },
      ]),
    ).toEqual([5, 1]);
    expect(counters.counter('a')).toBe(5);
    now += 50;
    expect(counters.counter('a')).toBe(0);
    expect(counters.incrementMany([{ key: 'a', by: 1, ttlMs: 100 }])).toEqual([1]);
    expect(counters.counter('absent')).toBe(0);
    now += 120_000; // past the sweep: the expired counter is gone, a new one starts at its value
    expect(counters.incrementMany([{ key: 'c', by: -1, ttlMs: 100 }])).toEqual([-1]);
    expect(counters.counter('a')).toBe(0);
  });

  it('corrects live counters only, floored at 0 where asked', () => {
    let now = 0;
    const counters = new MemoryCounters(() => now);
    counters.incrementMany([
      { key: 'tokens', by: 900, ttlMs: 60_000 },
      { key: 'inflight', by: 1, ttlMs: 60_000 },
    ]);
    counters.adjustMany([
      { key: 'tokens', by: -800, floor: false },
      { key: 'inflight', by: -3, floor: true },
      { key: 'gone', by: -1, floor: false },
    ]);
    expect(counters.counter('tokens')).toBe(100);
    expect(counters.counter('inflight')).toBe(0);
    expect(counters.counter('gone')).toBe(0);
    now += 60_000; // expired: a correction does not bring a past window back
    counters.adjustMany([{ key: 'tokens', by: 5, floor: false }]);
    expect(counters.counter('tokens')).toBe(0);
  });
});
