import type { Clock, Timer } from '@mlx-gateway/shared/clock';
import type { TimeoutPhase } from '../upstream/upstream-error.js';

/** Of deadlines due at the same moment, the one first in this list is reported. */
const PHASES: readonly TimeoutPhase[] = ['total', 'first byte', 'connect', 'idle'];

/**
 * The timeouts of one attempt (total, first byte, connect, idle) watched with a single timer
 * armed for the earliest deadline, instead of a timer each: creating and clearing timers was a
 * visible part of the proxy's CPU per request. Clearing a deadline or moving one later (the
 * idle deadline, moved on every chunk) does not touch the timer; when it fires early for a
 * deadline that is gone, it re-arms for the next one. Only a deadline earlier than the armed
 * one re-arms it, once per tick at most: the deadlines set while a request starts (total,
 * first byte, connect) cost one timer between them.
 */
export class PhaseDeadlines {
  /** Deadline per phase, in clock milliseconds (Infinity: none). Indexed as PHASES. */
  private readonly due = [Infinity, Infinity, Infinity, Infinity];
  private timer: Timer | undefined;
  private armedFor = Infinity;
  private armScheduled = false;

  constructor(
    private readonly clock: Clock,
    private readonly onExpired: (phase: TimeoutPhase) => void,
  ) {}

  /**
   * Sets `phase` to expire `ms` from now (again, if it was set). A delay that is not a
   * positive finite number means no deadline (a disabled timeout).
   */
  set(phase: TimeoutPhase, ms: number): void {
    const index = PHASES.indexOf(phase);
    if (!(ms > 0 && Number.isFinite(ms))) {
      this.due[index] = Infinity;
      return;
    }
    const at = this.clock.now() + ms;
    this.due[index] = at;
    if (at < this.armedFor && !this.armScheduled) {
      this.armScheduled = true;
      queueMicrotask(this.armForEarliest);
    }
  }

  clear(phase: TimeoutPhase): void {
    this.due[PHASES.indexOf(phase)] = Infinity;
  }

  /** Clears every deadline and the timer. */
  stop(): void {
    this.due.fill(Infinity);
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private readonly armForEarliest = (): void => {
    this.armScheduled = false;
    const at = Math.min(...this.due);
    if (at < this.armedFor) this.arm(at);
  };

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedFor = at;
    this.timer = this.clock.timer(Math.max(1, at - this.clock.now()), this.check);
  }

  private readonly check = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    let first = -1;
    for (let i = 0; i < PHASES.length; i++) {
      if (first === -1 || (this.due[i] as number) < (this.due[first] as number)) first = i;
    }
    const at = this.due[first] as number;
    if (at === Infinity) return;
    if (at > this.clock.now()) {
      this.arm(at);
      return;
    }
    this.stop();
    this.onExpired(PHASES[first] as TimeoutPhase);
  };
}
