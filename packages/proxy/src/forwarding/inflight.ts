import type { GatewayError } from '@mlx-gateway/shared/errors';
import type { ExchangeView, ProxyExchange } from './exchange.js';

/** The proxied requests running now, so a shutdown can let them finish, then stop the rest. */
export class Inflight {
  private readonly running = new Map<ProxyExchange, Promise<void>>();
  private readonly idleWaiters = new Set<() => void>();

  get size(): number {
    return this.running.size;
  }

  /** Runs `work` for `exchange`, counted as in flight until it settles. */
  async track(exchange: ProxyExchange, work: Promise<void>): Promise<void> {
    this.running.set(exchange, work);
    try {
      await work;
    } finally {
      this.running.delete(exchange);
      if (this.running.size === 0) {
        for (const wake of this.idleWaiters) wake();
        this.idleWaiters.clear();
      }
    }
  }

  /** The requests running now, oldest first (for the dashboard). */
  list(): ExchangeView[] {
    return [...this.running.keys()].map((exchange) => exchange.describe());
  }

  /**
   * Cancels the request with id `reqId` (the dashboard's cancel button): its upstream is
   * aborted and its client gets `error` as the end of its answer. False when no such request
   * runs.
   */
  cancel(reqId: string, error: GatewayError): boolean {
    for (const exchange of this.running.keys()) {
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
    const pending = [...this.running.entries()];
    for (const [exchange] of pending) exchange.stop(error);
    await Promise.allSettled(pending.map(([, work]) => work));
  }
}
