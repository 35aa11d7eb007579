import { describe, expect, it } from 'vitest';
import { costInterval } from '../bench/same-process-ab.js';

/** Phases of `cpuUs` per request, with some phase-to-phase noise of `spread` (deterministic). */
const phases = (usPerRequest: number, spread: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    cpuUs: (usPerRequest + spread * Math.sin(i * 2.3)) * 1000,
    requests: 1000,
  }));

describe('costInterval (the same-process A/B)', () => {
  it('holds the true cost, and narrows as phases are added', () => {
    const few = costInterval(phases(105, 10, 10), phases(100, 10, 10));
    const many = costInterval(phases(105, 10, 80), phases(100, 10, 80));
    for (const interval of [few, many]) {
      expect(interval.low).toBeLessThan(0.05);
      expect(interval.high).toBeGreaterThan(0.05);
    }
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
  });

  it('is a single point without noise, and the same for the same phases', () => {
    const exact = costInterval(phases(110, 0, 20), phases(100, 0, 20));
    expect(exact.low).toBeCloseTo(0.1, 10);
    expect(exact.high).toBeCloseTo(0.1, 10);
    const a = phases(103, 8, 30);
    const b = phases(100, 8, 30);
    expect(costInterval(a, b)).toEqual(costInterval(a, b));
  });

  it('has no interval without a pair', () => {
    expect(costInterval([], phases(100, 0, 3)).low).toBeNaN();
  });
});
