/**
 * Time as the project sees it: `now()` and one-shot timers that can be re-armed. Production
 * uses a system clock; unit tests pass a manual clock and move time by hand, so timeouts,
 * heartbeats and lifecycles are tested without sleeping and without faking Node's own timers.
 *
 * The one clock of the project: the supervisor's lifecycle timers and task registry and the
 * proxy's timeouts, heartbeats and leases all run on it.
 */
export interface Timer {
  /** Re-arms the timer for its full delay from now (also after it fired). */
  refresh(): void;
  cancel(): void;
}

export interface Clock {
  /** Milliseconds: monotonic, or epoch for a clock whose times are shown to people. */
  now(): number;
  /**
   * Runs `fn` once after `ms`. A delay that is not a positive finite number gives a timer that
   * never fires (a disabled timeout).
   */
  timer(ms: number, fn: () => void): Timer;
}

export interface SystemClockOptions {
  /** The reading of `now()`; default `performance.now` (monotonic). */
  now?: () => number;
  /** Whether a pending timer keeps the process alive; default false. */
  keepAlive?: boolean;
}

/** setTimeout's largest delay; longer ones would fire at once. */
const MAX_DELAY_MS = 2_147_483_647;

const disabledTimer: Timer = {
  refresh() {},
  cancel() {},
};

class SystemTimer implements Timer {
  private readonly handle: NodeJS.Timeout;

  constructor(ms: number, fn: () => void, keepAlive: boolean) {
    this.handle = setTimeout(fn, ms);
    if (!keepAlive) this.handle.unref();
  }

  refresh(): void {
    this.handle.refresh();
  }

  cancel(): void {
    clearTimeout(this.handle);
  }
}

/** A clock on Node's timers. */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  const now = options.now ?? (() => performance.now());
  const keepAlive = options.keepAlive ?? false;
  return {
    now,
    timer: (ms, fn) =>
      ms > 0 && Number.isFinite(ms)
        ? new SystemTimer(Math.min(ms, MAX_DELAY_MS), fn, keepAlive)
        : disabledTimer,
  };
}

/** Monotonic time; timers do not keep the process alive (the proxy's clock). */
export const systemClock: Clock = createSystemClock();

/**
 * Epoch time (the times a daemon publishes and logs); timers keep the process alive, as a
 * daemon's own background work must.
 */
export const epochClock: Clock = createSystemClock({ now: () => Date.now(), keepAlive: true });
