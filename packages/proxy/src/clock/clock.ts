/**
 * Time as the proxy sees it: a monotonic `now()` and one-shot timers that can be re-armed.
 * Production uses the system clock; unit tests pass a manual clock and move time by hand, so
 * heartbeats and timeouts are tested without sleeping and without faking Node's own timers.
 */
export interface Timer {
  /** Re-arms the timer for its full delay from now (cheap: no new timer is created). */
  refresh(): void;
  cancel(): void;
}

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /**
   * Runs `fn` once after `ms`; the timer does not keep the process alive. A delay that is not
   * a positive finite number gives a timer that never fires (a disabled timeout).
   */
  timer(ms: number, fn: () => void): Timer;
}

class SystemTimer implements Timer {
  private readonly handle: NodeJS.Timeout;

  constructor(ms: number, fn: () => void) {
    this.handle = setTimeout(fn, ms);
    this.handle.unref();
  }

  refresh(): void {
    this.handle.refresh();
  }

  cancel(): void {
    clearTimeout(this.handle);
  }
}

const disabledTimer: Timer = {
  refresh() {},
  cancel() {},
};

/** setTimeout's largest delay; longer ones would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => performance.now(),
  timer: (ms, fn) =>
    ms > 0 && Number.isFinite(ms) ? new SystemTimer(Math.min(ms, MAX_DELAY_MS), fn) : disabledTimer,
};
