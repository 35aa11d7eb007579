import { afterEach, describe, expect, it, vi } from 'vitest';
import { epochMs } from '../standin/epoch-clock.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('epochMs', () => {
  it('keeps within the millisecond of Date.now() when the wall clock drifts from the monotonic one', () => {
    let wall = Date.now();
    let mono = performance.now();
    vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(wall));
    vi.spyOn(performance, 'now').mockImplementation(() => mono);
    // A wall clock 5 ms a second fast, then 5 ms a second slow, for two minutes each, 100 ms steps.
    for (const drift of [1.005, 0.995]) {
      for (let i = 0; i < 1200; i++) {
        mono += 100;
        wall += 100 * drift;
        const at = epochMs();
        expect(at).toBeGreaterThanOrEqual(Math.floor(wall));
        expect(at).toBeLessThan(Math.floor(wall) + 1);
      }
    }
  });

  it('keeps sub-millisecond steps while the clocks agree', () => {
    let mono = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => mono);
    const first = epochMs();
    // From here the wall clock runs with the monotonic one, from where epochMs put it.
    vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(first + (mono - 1_000)));
    for (let i = 1; i <= 40; i++) {
      mono += 0.25;
      expect(epochMs() - first).toBeCloseTo(0.25 * i, 6);
    }
  });
});
