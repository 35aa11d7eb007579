import type { Clock, Timer } from '@mlx-gateway/shared/clock';

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock for unit tests: time moves only when the test calls `advance`, and the timers that
 * fall due run in order of their due time (then of arming).
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly armed = new Set<PendingTimer>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  timer(ms: number, fn: () => void): Timer {
    if (!(ms > 0 && Number.isFinite(ms))) return { refresh() {}, cancel() {} };
    const pending: PendingTimer = { due: 0, seq: 0, fn };
    const arm = () => {
      pending.due = this.current + ms;
      pending.seq = this.seq++;
      this.armed.add(pending);
    };
    arm();
    return { refresh: arm, cancel: () => this.armed.delete(pending) };
  }

  /** Timers that will fire if time moves far enough. */
  get pending(): number {
    return this.armed.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.current = next.due;
      this.armed.delete(next);
      next.fn();
    }
    this.current = target;
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let next: PendingTimer | undefined;
    for (const t of this.armed) {
      if (t.due > limit) continue;
      if (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq)) next = t;
    }
    return next;
  }
}
