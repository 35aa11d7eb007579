import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trimWhenQuiet } from './trim-after-idle.js';
import type { Trimmer } from './trim-after-idle.js';

describe('trimWhenQuiet', () => {
  let cpuUs = 0;
  let trimmer: Trimmer | undefined;
  const calls: string[] = [];
  const start = (overrides: { trim?: () => void; onError?: (err: unknown) => void } = {}) => {
    trimmer = trimWhenQuiet({
      trim: overrides.trim ?? (() => calls.push('trim')),
      collect: () => calls.push('collect'),
      onError: overrides.onError,
      cpuTimeUs: () => cpuUs,
    });
    return trimmer;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    cpuUs = 0;
    calls.length = 0;
  });
  afterEach(() => {
    trimmer?.stop();
    vi.useRealTimers();
  });

  it('never trims a process that has served no load', () => {
    const t = start();
    cpuUs += 500_000;
    vi.advanceTimersByTime(60_000);
    expect(calls).toEqual([]);
    expect(t.trims).toBe(0);
  });

  it('collects, then trims, once the process turns quiet after a load', () => {
    const t = start();
    // Busy: 4 s of CPU in 5 s.
    cpuUs += 4_000_000;
    vi.advanceTimersByTime(5_000);
    expect(calls).toEqual([]);
    // Quiet: the next look finds almost no CPU used.
    cpuUs += 10_000;
    vi.advanceTimersByTime(5_000);
    expect(calls).toEqual(['collect']);
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['collect', 'trim']);
    expect(t.trims).toBe(1);
    // Trimmed again at the next five quiet looks (what V8's memory reducer frees later)...
    cpuUs += 10_000;
    vi.advanceTimersByTime(4_500);
    expect(t.trims).toBe(2);
    vi.advanceTimersByTime(60_000);
    expect(t.trims).toBe(6);
    expect(calls.filter((c) => c === 'collect')).toHaveLength(1);
    // ...and not again until another load.
    vi.advanceTimersByTime(60_000);
    expect(t.trims).toBe(6);
    cpuUs += 3_000_000;
    vi.advanceTimersByTime(5_000);
    cpuUs += 10_000;
    vi.advanceTimersByTime(5_500);
    expect(calls.filter((c) => c === 'collect')).toHaveLength(2);
    expect(t.trims).toBe(7);
  });

  it('waits for a load to end: a busy look postpones the follow-up trims', () => {
    const t = start();
    cpuUs += 2_000_000;
    vi.advanceTimersByTime(5_000);
    vi.advanceTimersByTime(5_500);
    expect(t.trims).toBe(1);
    // Busy again (but less than a load's worth since the trim): no trim while busy.
    cpuUs += 500_000;
    vi.advanceTimersByTime(4_500);
    expect(t.trims).toBe(1);
    vi.advanceTimersByTime(5_000);
    expect(t.trims).toBe(2);
  });

  it('does not trim while the load goes on', () => {
    const t = start();
    for (let i = 0; i < 12; i++) {
      cpuUs += 1_000_000;
      vi.advanceTimersByTime(5_000);
    }
    expect(t.trims).toBe(0);
  });

  it('stops, and reports, when trimming fails', () => {
    const errors: unknown[] = [];
    const t = start({
      trim: () => {
        throw new Error('no malloc_trim here');
      },
      onError: (err) => errors.push(err),
    });
    cpuUs += 2_000_000;
    vi.advanceTimersByTime(5_000);
    vi.advanceTimersByTime(5_500);
    expect(errors).toHaveLength(1);
    cpuUs += 2_000_000;
    vi.advanceTimersByTime(30_000);
    expect(errors).toHaveLength(1);
    expect(t.trims).toBe(0);
  });
});
