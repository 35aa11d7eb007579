import type { Clock, Timer } from '@mlx-gateway/shared/clock';

const inert: Timer = { refresh() {}, cancel() {} };

/**
 * Every piece of background work of the supervisor (timers, intervals, pending operations) is
 * registered here, so that shutdown can cancel all of it and nothing fires afterwards. Time is
 * the injected clock's: unit tests move it by hand.
 */
export class TaskRegistry {
  private readonly timers = new Set<Timer>();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(readonly clock: Clock) {}

  get isClosed(): boolean {
    return this.closed;
  }

  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` once after `ms`; cancel the returned timer to drop it. Inert once closed. */
  timeout(ms: number, fn: () => void): Timer {
    return this.register(ms, fn, false);
  }

  /** Runs `fn` every `ms` until the returned timer is cancelled. Inert once closed. */
  interval(ms: number, fn: () => void): Timer {
    return this.register(ms, fn, true);
  }

  /** Tracks a promise until it settles (errors are the caller's to handle). */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  get size(): number {
    return this.timers.size + this.pending.size;
  }

  /** Cancels every timer; waits (bounded) for tracked operations to settle. */
  async close(waitMs: number): Promise<void> {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    if (this.pending.size === 0) return;
    let deadline: Timer | undefined;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise<void>((r) => {
        deadline = this.clock.timer(waitMs, r);
      }),
    ]);
    deadline?.cancel();
  }

  private register(ms: number, fn: () => void, repeat: boolean): Timer {
    if (this.closed) return inert;
    const timers = this.timers;
    const inner = this.clock.timer(ms, () => {
      // An interval re-arms itself before running, so that `fn` may cancel it.
      if (repeat) inner.refresh();
      else timers.delete(handle);
      fn();
    });
    const handle: Timer = {
      refresh: () => {
        if (this.closed) return;
        timers.add(handle);
        inner.refresh();
      },
      cancel: () => {
        timers.delete(handle);
        inner.cancel();
      },
    };
    timers.add(handle);
    return handle;
  }
}
