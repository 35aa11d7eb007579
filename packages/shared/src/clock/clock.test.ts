import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSystemClock, epochClock, systemClock } from './clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('system clock', () => {
  it('fires a timer once after its delay, again after refresh, never after cancel', () => {
    vi.useFakeTimers();
    const clock = createSystemClock();
    const fn = vi.fn();
    const t = clock.timer(100, fn);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    t.refresh();
    vi.advanceTimersByTime(100);
    expect(fn).toHaveBeenCalledTimes(2);
    t.refresh();
    t.cancel();
    vi.advanceTimersByTime(1_000);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'a delay of %s gives a timer that never fires',
    (ms) => {
      vi.useFakeTimers();
      const fn = vi.fn();
      systemClock.timer(ms, fn).refresh();
      vi.advanceTimersByTime(2 ** 31);
      expect(fn).not.toHaveBeenCalled();
    },
  );

  it('keeps the process alive only when asked', () => {
    const kept = createSystemClock({ keepAlive: true }).timer(60_000, () => {});
    const loose = createSystemClock().timer(60_000, () => {});
    const handles = (t: unknown) => (t as { handle: NodeJS.Timeout }).handle.hasRef();
    expect(handles(kept)).toBe(true);
    expect(handles(loose)).toBe(false);
    kept.cancel();
    loose.cancel();
  });

  it('reads epoch time from the epoch clock and monotonic time from the system clock', () => {
    expect(Math.abs(epochClock.now() - Date.now())).toBeLessThan(1_000);
    expect(systemClock.now()).toBeLessThan(Date.now() / 2);
  });
});
