import { describe, expect, it } from 'vitest';
import { MemoryCounters } from './memory-counters.js';

describe('MemoryCounters', () => {
  it('counts with an expiry set when the counter is created, and sweeps expired ones', async () => {
    let now = 1_000;
    const counters = new MemoryCounters(() => now);
    expect(await counters.increment('a', 2, 100)).toBe(2);
    now += 50;
    expect(await counters.increment('a', 3, 100)).toBe(5); // the expiry is not moved
    expect(await counters.counter('a')).toBe(5);
    now += 50;
    expect(await counters.counter('a')).toBe(0);
    expect(await counters.increment('a', 1, 100)).toBe(1);
    expect(await counters.counter('absent')).toBe(0);
    now += 120_000; // past the sweep: the expired counter is gone, a new one starts at its value
    expect(await counters.increment('b', -1, 100)).toBe(-1);
    expect(await counters.counter('a')).toBe(0);
  });
});
