import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const options = { minMs: 100, maxMs: 1000 };

  it('doubles from the minimum and stops at the maximum', () => {
    const top = (attempt: number): number => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3, 4, 50].map(top)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps at least half of the delay when jittered', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(200);
  });
});
