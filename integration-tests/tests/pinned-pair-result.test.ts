import { describe, expect, it } from 'vitest';
import { pairResult } from '../bench/pinned-pair.js';

describe('pinned pair result', () => {
  it('reads the cost from the totals, and the rounds spread from their own ratios', () => {
    const r = pairResult([
      { a: { cpuMs: 1100, requests: 10_000 }, b: { cpuMs: 1000, requests: 10_000 } },
      { a: { cpuMs: 1000, requests: 8_000 }, b: { cpuMs: 1000, requests: 10_000 } },
    ]);
    expect(r.a).toBeCloseTo(2100_000 / 18_000, 6);
    expect(r.b).toBeCloseTo(100, 6);
    expect(r.cpuCost).toBeCloseTo(2100 / 18 / 100 - 1, 6);
    // Rounds read +10% and +25%: mean 17.5%, standard error 7.5%.
    expect(r.roundMean).toBeCloseTo(0.175, 6);
    expect(r.roundError).toBeCloseTo(0.075, 6);
    expect(r.throughputCost).toBeCloseTo(20_000 / 18_000 - 1, 6);
  });

  it('reads no cost when both sides spend the same per request', () => {
    const r = pairResult([
      { a: { cpuMs: 500, requests: 5_000 }, b: { cpuMs: 600, requests: 6_000 } },
      { a: { cpuMs: 700, requests: 7_000 }, b: { cpuMs: 700, requests: 7_000 } },
    ]);
    expect(r.cpuCost).toBeCloseTo(0, 9);
    expect(r.roundMean).toBeCloseTo(0, 9);
    expect(r.roundError).toBeCloseTo(0, 9);
  });
});
