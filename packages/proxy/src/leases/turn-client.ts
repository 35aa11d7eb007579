import { ErrorCodes } from '@mlx-gateway/protocol';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { ProxyLogger } from '../logging/logger.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import type { LeaseManager } from './lease-manager.js';

/** Gives a turn back; calling it again does nothing. */
export type TurnRelease = () => void;

/** A local model as far as turns go. */
export interface TurnModel {
  name: string;
  maxConcurrent?: number;
  queue?: { size: number; timeoutMs: number };
}

/** This proxy's side of a model's line, as /v1/gateway/models shows it. */
export interface QueueStats {
  maxConcurrent: number;
  /** This proxy's requests holding a turn, and waiting for one. */
  active: number;
  waiting: number;
  /** The longest wait of this proxy's requests now waiting, ms. */
  oldestWaitMs: number;
  /** This proxy's requests that waited, their waits in all (ms), and those refused. */
  waited: number;
  waitedMs: number;
  refused: number;
}

export interface TurnClientOptions {
  supervisor: ModelSupervisor;
  leases: LeaseManager;
  clock: Clock;
  /** Added to a queue's timeout for the control request's own deadline. */
  controlTimeoutMs: number;
  logger: ProxyLogger;
}

interface Line {
  maxConcurrent: number;
  active: number;
  /** When each request of this proxy now in line asked (arrival order). */
  waiting: Set<{ since: number }>;
  waited: number;
  waitedMs: number;
  refused: number;
}

/**
 * Turns of local models with `maxConcurrent`, asked of the supervisor (`turn.acquire`), which
 * keeps one line per model for every proxy of the gateway: arrival order across proxies, one
 * `maxConcurrent` for all of them. A free turn costs one control round trip; a request that
 * must wait gets a promise the exchange treats like a model start (heartbeats to a streaming
 * client). Refusals (line full, waited too long) come back as 429 with Retry-After. The turn
 * goes back (without waiting for the answer) when the request ends; while this proxy has turns
 * or requests in line its leases are renewed, which renews them too.
 */
export class TurnClient {
  private readonly lines = new Map<string, Line>();
  private counter = 0;

  constructor(private readonly options: TurnClientOptions) {}

  /** A turn for a model with `maxConcurrent`, else undefined (nothing to wait for). */
  acquire(model: TurnModel, signal: AbortSignal): Promise<TurnRelease> | undefined {
    const { supervisor, leases, clock } = this.options;
    if (model.maxConcurrent === undefined || supervisor.acquireTurn === undefined) return undefined;
    const line = this.line(model.name, model.maxConcurrent);
    this.counter += 1;
    const claim = { id: `${leases.holder}:turn:${this.counter}`, holder: leases.holder };
    const entry = { since: clock.now() };
    line.waiting.add(entry);
    leases.pin();
    const timeoutMs = (model.queue?.timeoutMs ?? 120_000) + this.options.controlTimeoutMs;
    return supervisor.acquireTurn(model.name, claim, { timeoutMs, signal }).then(
      (waitedMs) => {
        line.waiting.delete(entry);
        line.active += 1;
        if (waitedMs > 0) {
          line.waited += 1;
          line.waitedMs += waitedMs;
        }
        let released = false;
        return () => {
          if (released) return;
          released = true;
          line.active -= 1;
          this.giveBack(claim.id);
        };
      },
      (err: unknown) => {
        line.waiting.delete(entry);
        if ((err as { code?: string }).code === ErrorCodes.RATE_LIMITED) {
          line.refused += 1;
          leases.unpin();
        } else {
          // Gone from here (client left, no answer): the supervisor may still hold it.
          this.giveBack(claim.id);
        }
        throw err;
      },
    );
  }

  stats(name: string): QueueStats | undefined {
    const line = this.lines.get(name);
    if (line === undefined) return undefined;
    const now = this.options.clock.now();
    let oldest = now;
    for (const entry of line.waiting) oldest = Math.min(oldest, entry.since);
    return {
      maxConcurrent: line.maxConcurrent,
      active: line.active,
      waiting: line.waiting.size,
      oldestWaitMs: Math.round(now - oldest),
      waited: line.waited,
      waitedMs: Math.round(line.waitedMs),
      refused: line.refused,
    };
  }

  private giveBack(id: string): void {
    const { supervisor, leases, logger } = this.options;
    leases.unpin();
    supervisor.releaseTurn?.(id).catch((err: unknown) => {
      logger.debug({ err, turn: id }, 'turn release failed');
    });
  }

  private line(name: string, maxConcurrent: number): Line {
    let line = this.lines.get(name);
    if (line === undefined) {
      line = { maxConcurrent, active: 0, waiting: new Set(), waited: 0, waitedMs: 0, refused: 0 };
      this.lines.set(name, line);
    }
    return line;
  }
}
