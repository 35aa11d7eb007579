import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { TaskRegistry } from './task-registry.js';

describe('task registry', () => {
  it('runs a timeout once on the injected clock and forgets it', () => {
    const clock = new ManualClock();
    const tasks = new TaskRegistry(clock);
    const fn = vi.fn();
    tasks.timeout(100, fn);
    expect(tasks.size).toBe(1);
    clock.advance(99);
    expect(fn).not.toHaveBeenCalled();
    clock.advance(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(tasks.size).toBe(0);
  });

  it('repeats an interval until it is cancelled, also from inside its callback', () => {
    const clock = new ManualClock();
    const tasks = new TaskRegistry(clock);
    let runs = 0;
    const t = tasks.interval(10, () => {
      runs += 1;
      if (runs === 3) t.cancel();
    });
    clock.advance(100);
    expect(runs).toBe(3);
    expect(tasks.size).toBe(0);
  });

  it('close cancels every timer and later ones are inert', async () => {
    const clock = new ManualClock();
    const tasks = new TaskRegistry(clock);
    const fn = vi.fn();
    tasks.timeout(10, fn);
    tasks.interval(10, fn);
    await tasks.close(0);
    tasks.timeout(10, fn).refresh();
    clock.advance(1_000);
    expect(fn).not.toHaveBeenCalled();
    expect(tasks.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('close waits for tracked work, but no longer than its bound', async () => {
    const clock = new ManualClock();
    const tasks = new TaskRegistry(clock);
    void tasks.track(new Promise<void>(() => {}));
    let closed = false;
    const closing = tasks.close(500).then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false);
    clock.advance(500);
    await closing;
    expect(closed).toBe(true);
  });
});
