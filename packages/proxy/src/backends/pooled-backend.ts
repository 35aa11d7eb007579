import type { Target } from '../routing/target.js';
import type { PoolRegistry } from '../upstream/pool-registry.js';
import { UpstreamCall } from '../upstream/upstream-call.js';
import type { UpstreamListener } from '../upstream/upstream-call.js';
import type {
  Backend,
  BackendHealth,
  BackendRequest,
  PrepareContext,
  PreparedRequest,
} from './backend.js';

/** What a remote API reports: it has no state of its own that the gateway knows of. */
const REMOTE_HEALTH: BackendHealth = Object.freeze({ state: 'remote' });

/**
 * What every backend that sends over the proxy's connection pools shares: `send` (the prepared
 * request goes out on the pool of its origin) and `health` as a remote API reports it. A
 * backend says how to prepare a request; LocalBackend also reports its model's state instead.
 */
export abstract class PooledBackend implements Backend {
  constructor(protected readonly pools: PoolRegistry) {}

  abstract prepare(
    req: BackendRequest,
    ctx: PrepareContext,
  ): PreparedRequest | Promise<PreparedRequest>;

  send(prepared: PreparedRequest, listener: UpstreamListener): UpstreamCall {
    const call = new UpstreamCall(listener);
    call.start(this.pools.get(prepared.upstream.origin), prepared.upstream);
    return call;
  }

  health(_target: Target): BackendHealth {
    return REMOTE_HEALTH;
  }
}
