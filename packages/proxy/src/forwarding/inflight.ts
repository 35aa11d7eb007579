import type { GatewayError } from '@mlx-gateway/shared/errors';
import { LiveList } from '@mlx-gateway/shared/memory';
import type { ExchangeView, ProxyExchange } from './exchange.js';

/** A request in flight: its exchange and the work that settles when it is over. */
interface Running {
  exchange: ProxyExchange;
  work: Promise<void>;
}

/**
 * The proxied requests running now, so a shutdown can let them finish, then stop the rest.
 * Held in a LiveList, not a Map: a Map with an entry per request chained the requests
 * together for the garbage collector (live-list.ts).
 */
export class Inflight {
  private readonly running = new LiveList<Running>();
  private readonly idleWaiters = new Set<() => void>();

  get size(): number {
    return this.running.size;
  }

  /** Runs `work` for `exchange`, counted as in flight until it settles. */
  async track(exchange: ProxyExchange, work: Promise<void>): Promise<void> {
    const entry = this.running.add({ exchange, work });
    try {
      await work;
    } finally {
      this.running.remove(entry);
      if (this.running.size === 0) {
        for (const wake of this.idleWaiters) wake();
        this.idleWaiters.clear();
      }
    }
  }

  /** The requests running now, oldest first (for the dashboard). */
  list(): ExchangeView[] {
    return this.running.items().map((r) => r.exchange.describe());
  }

  /**
   * Cancels the request with id `reqId` (the dashboard's cancel button): its upstream is
   * aborted and its client gets `error` as the end of its answer. False when no such request
   * runs.
   */
  cancel(reqId: string, error: GatewayError): boolean {
    for (const { exchange } of this.running.items()) {
      if (exchange.reqId !== reqId) continue;
      exchange.cancel(error);
      return true;
    }
    return false;
  }

  /** Resolves true when nothing is in flight, false if `graceMs` passes first. */
  drain(graceMs: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(wake);
        resolve(false);
      }, graceMs);
      this.idleWaiters.add(wake);
    });
  }

  /** Ends every request still running with `error`, and waits for them to wind up. */
  async stopAll(error: GatewayError): Promise<void> {
    const pending = this.running.items();
    for (const { exchange } of pending) exchange.stop(error);
    await Promise.allSettled(pending.map((r) => r.work));
  }
}
