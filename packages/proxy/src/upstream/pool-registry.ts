import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

export interface PoolRegistryOptions {
  /** Most connections per upstream origin; requests beyond wait in the pool's queue. */
  connections: number;
  keepAliveTimeoutMs: number;
  /** Undici's own connect timeout; the per-target connect timeout is enforced by the caller. */
  connectTimeoutMs: number;
  /** Builds the pool of an origin (tests count or replace pools). */
  createPool?: (origin: string, options: Pool.Options) => Dispatcher;
}

/**
 * One keep-alive connection pool per upstream origin, created on first use and reused by
 * every later request to that origin; all are closed on shutdown. No request ever creates its
 * own client.
 */
export class PoolRegistry {
  private readonly pools = new Map<string, Dispatcher>();
  private readonly poolOptions: Pool.Options;
  private readonly createPool: (origin: string, options: Pool.Options) => Dispatcher;
  private closing = false;

  constructor(options: PoolRegistryOptions) {
    this.poolOptions = {
      connections: options.connections,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // Undici's 300 s header and body timeouts would cut long generations; the proxy runs
      // its own per-target first-byte, idle and total timers instead.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: options.connectTimeoutMs },
    };
    this.createPool =
      options.createPool ?? ((origin, poolOptions) => new Pool(origin, poolOptions));
  }

  /** Pools created so far. */
  get size(): number {
    return this.pools.size;
  }

  /** The pool for `origin` (scheme://host:port, no path). */
  get(origin: string): Dispatcher {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      if (this.closing) throw new Error('the upstream connection pools are closed');
      pool = this.createPool(origin, this.poolOptions);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Closes every pool: waits for their requests to finish for up to `graceMs`, then destroys
   * what is still open.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(
      pools.map(async (pool) => {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), graceMs);
        });
        const outcome = await Promise.race([
          pool.close().then(
            () => 'closed' as const,
            () => 'closed' as const,
          ),
          deadline,
        ]);
        clearTimeout(timer);
        if (outcome === 'late') await pool.destroy();
      }),
    );
  }
}
