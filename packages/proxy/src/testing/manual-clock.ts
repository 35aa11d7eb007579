import type { Clock, Timer } from '@mlx-gateway/shared/clock';

interface ManualTimer extends Timer {
  due: number;
  active: boolean;
  fn: () => void;
}

/** A clock for unit tests: time moves only when the test calls `advance`. */
export class ManualClock implements Clock {
  private current = 0;
  private readonly timers = new Set<ManualTimer>();

  now(): number {
    return this.current;
  }

  timer(ms: number, fn: () => void): Timer {
    const enabled = ms > 0 && Number.isFinite(ms);
    const timers = this.timers;
    const now = (): number => this.current;
    const timer: ManualTimer = {
      due: this.current + ms,
      active: enabled,
      fn,
      refresh() {
        if (!enabled) return;
        timer.due = now() + ms;
        timer.active = true;
        timers.add(timer);
      },
      cancel() {
        timer.active = false;
        timers.delete(timer);
      },
    };
    if (enabled) this.timers.add(timer);
    return timer;
  }

  /** Timers that will fire if time moves far enough. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) {
        if (timer.due <= target && (next === undefined || timer.due < next.due)) next = timer;
      }
      if (next === undefined) break;
      this.current = next.due;
      this.timers.delete(next);
      next.active = false;
      next.fn();
    }
    this.current = target;
  }
}
