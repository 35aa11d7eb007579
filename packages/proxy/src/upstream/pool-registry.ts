import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { GuardedResolver, SsrfPolicy } from '@mlx-gateway/shared/security';
import { Pool } from '@mlx-gateway/shared/undici';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import { guardedConnector } from './guarded-connector.js';
import type { RemoteEndpoint } from './remote-endpoints.js';

export interface PoolRegistryOptions {
  /** Most connections per upstream origin; requests beyond wait in the pool's queue. */
  connections: number;
  keepAliveTimeoutMs: number;
  /** Undici's own connect timeout; the per-target connect timeout is enforced by the caller. */
  connectTimeoutMs: number;
  /**
   * The remote upstreams of the config (models and providers). Their pools connect through the
   * SSRF guard; any other origin must be a local model server on the loopback interface.
   */
  remotes?: readonly RemoteEndpoint[];
  /** Resolver of the SSRF guard's lookup (tests inject one); default dns.lookup. */
  resolver?: GuardedResolver;
  /** Told when the SSRF guard refuses a connection, with the reason (for the log). */
  onConnectRefused?: (origin: string, reason: string) => void;
  /** Builds the pool of an origin (tests count or replace pools). */
  createPool?: (origin: string, options: UndiciPool.Options) => Dispatcher;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * One keep-alive connection pool per upstream origin, created on first use and reused by
 * every later request to that origin; all are closed on shutdown. No request ever creates its
 * own client. Pools of remote upstreams check every new connection against the SSRF policy of
 * their origin (`allowPrivateNetwork` of the models and providers that use it); pools of the
 * local model servers (127.0.0.1, started by our supervisor) are not checked, and no other
 * origin gets a pool at all.
 */
export class PoolRegistry {
  private readonly pools = new Map<string, Dispatcher>();
  private readonly baseOptions: UndiciPool.Options;
  private readonly policies = new Map<string, SsrfPolicy>();
  private readonly options: PoolRegistryOptions;
  private readonly createPool: (origin: string, options: UndiciPool.Options) => Dispatcher;
  private closing = false;

  constructor(options: PoolRegistryOptions) {
    this.options = options;
    this.baseOptions = {
      connections: options.connections,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // Undici's 300 s header and body timeouts would cut long generations; the proxy runs
      // its own per-target first-byte, idle and total timers instead.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    for (const remote of options.remotes ?? []) {
      const origin = new URL(remote.baseUrl).origin;
      // An origin several entries share may reach private addresses if any of them allows it:
      // the operator vouched for that host.
      const allow =
        (this.policies.get(origin)?.allowPrivateNetwork ?? false) || remote.allowPrivateNetwork;
      this.policies.set(origin, { allowPrivateNetwork: allow, allowLoopback: allow });
    }
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
      pool = this.createPool(origin, this.poolOptions(origin));
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private poolOptions(origin: string): UndiciPool.Options {
    const policy = this.policies.get(origin);
    if (policy === undefined) {
      if (!LOOPBACK_HOSTS.has(new URL(origin).hostname)) {
        throw new GatewayError(
          ErrorCodes.INTERNAL,
          'refusing to connect to an upstream that is neither configured nor a local model server',
          { details: { origin } },
        );
      }
      return { ...this.baseOptions, connect: { timeout: this.options.connectTimeoutMs } };
    }
    const { onConnectRefused, resolver } = this.options;
    return {
      ...this.baseOptions,
      connect: guardedConnector(policy, {
        timeoutMs: this.options.connectTimeoutMs,
        ...(resolver ? { resolver } : {}),
        ...(onConnectRefused ? { onRefused: (reason) => onConnectRefused(origin, reason) } : {}),
      }),
    };
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
