// Counters of generation requests (chat, completions, embeddings), served at /v1/standin/stats so
// tests can check that every request a client abandoned was cancelled.
import { EventEmitter } from 'node:events';
import type { Outcome, Settlement } from './generation.js';
import { epochMs } from './epoch-clock.js';

export interface StandinStats {
  /** Generation requests received. requests = completed + aborted + broken + active. */
  requests: number;
  /** Responses written to the end (error responses and error-after streams included). */
  completed: number;
  /** Requests whose client went away before the end; generation stopped at that moment. */
  aborted: number;
  /** Connections the stand-in destroyed on purpose (break-after:N). */
  broken: number;
  /** Requests in progress. */
  active: number;
  /** Highest number of requests in progress at once. */
  peakActive: number;
  pid: number;
  /**
   * When /health was first answered (wall-clock ms since the epoch, sub-millisecond): the moment
   * a gateway could first have known the model was ready. The benchmark's cold-start overhead
   * counts from here.
   */
  firstHealthAt: number | null;
}

export interface SettledEvent extends Settlement {
  path: string;
}

/**
 * Typed events: 'begun' (path) when a generation request arrives, 'settled' (SettledEvent)
 * whenever one ends, however it ends.
 */
export class StatsCounter extends EventEmitter<{ begun: [string]; settled: [SettledEvent] }> {
  private readonly counts: Record<Outcome, number> = { completed: 0, aborted: 0, broken: 0 };
  private requests = 0;
  private active = 0;
  private peakActive = 0;
  private firstHealthAt: number | null = null;

  /** Marks a /health answer; only the first one is kept. */
  healthAnswered(): void {
    this.firstHealthAt ??= epochMs();
  }

  begin(path: string): (settlement: Settlement) => void {
    this.requests += 1;
    this.active += 1;
    this.peakActive = Math.max(this.peakActive, this.active);
    this.emit('begun', path);
    return (settlement) => {
      this.active -= 1;
      this.counts[settlement.outcome] += 1;
      this.emit('settled', { ...settlement, path });
    };
  }

  snapshot(): StandinStats {
    return {
      requests: this.requests,
      ...this.counts,
      active: this.active,
      peakActive: this.peakActive,
      pid: process.pid,
      firstHealthAt: this.firstHealthAt,
    };
  }
}
