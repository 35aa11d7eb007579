import { describe, expect, it } from 'vitest';
import { auditedCost, pairResult, pairsCost } from '../bench/pinned-pair.js';
import type { PairRun } from '../bench/pinned-pair.js';

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

describe('pinned pairs cost', () => {
  const run = (auditedFirst: boolean, cpuCost: number): PairRun => ({
    auditedFirst,
    result: { a: 0, b: 0, cpuCost, roundMean: cpuCost, roundError: 0, throughputCost: 0 },
  });

  it('reads the audited gateway over the other in either slot', () => {
    expect(auditedCost(run(true, 0.1))).toBeCloseTo(0.1, 9);
    // Audited in slot B, which spent 1.1 times slot A's CPU per request: A over B read −1/11.
    expect(auditedCost(run(false, 1 / 1.1 - 1))).toBeCloseTo(0.1, 9);
  });

  it('takes the geometric mean over the pairs, with its standard error from their spread', () => {
    const r = pairsCost([
      run(true, 0.1),
      run(false, 1 / 1.05 - 1),
      run(true, 0.05),
      run(false, 1 / 1.1 - 1),
    ]);
    expect(r.cost).toBeCloseTo(Math.sqrt(1.1 * 1.05) - 1, 9);
    const d = (Math.log(1.1) - Math.log(1.05)) / 2;
    // Four samples at ±d around the mean: variance 4d²/3, standard error sqrt(d²/3).
    expect(r.costError).toBeCloseTo(Math.sqrt((d * d) / 3), 9);
    // The median of +10%, +5%, +5%, +10%.
    expect(r.median).toBeCloseTo(0.075, 9);
  });

  it('reads the median past a pair that one full collection threw off', () => {
    const r = pairsCost([
      run(true, 0.08),
      run(false, 1 / 1.09 - 1),
      run(true, 0.28),
      run(false, 1 / 1.07 - 1),
      run(true, -0.08),
    ]);
    expect(r.median).toBeCloseTo(0.08, 9);
    // The geometric mean follows the outliers.
    expect(r.cost).toBeCloseTo(Math.pow(1.08 * 1.09 * 1.28 * 1.07 * 0.92, 1 / 5) - 1, 9);
  });
});
