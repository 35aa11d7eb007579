import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConfig } from '@mlx-gateway/shared/config';

/** What one config builds: the request listener over its routes and backends, and its pools. */
export interface ProxyGeneration {
  config: GatewayConfig;
  listener: (incoming: IncomingMessage, outgoing: ServerResponse) => void;
  /** Frees what only this generation uses (its upstream pools), once its requests ended. */
  retire(): Promise<void>;
}

interface Live {
  generation: ProxyGeneration;
  /** Requests that started on it and have not ended. */
  active: number;
  retired: boolean;
  done?: Promise<void>;
}

/**
 * The proxy's routes, backends and request limits as one swappable set. Every request is
 * served whole by the set in force when it arrived, so a reload never changes the routes or
 * the upstream of a request in flight; new requests use the new set at once. A replaced set is
 * retired (its pools closed) when its last request ends.
 */
export class ProxyGenerations {
  private live: Live;
  private readonly retiring = new Set<Live>();
  private count = 1;

  constructor(first: ProxyGeneration) {
    this.live = { generation: first, active: 0, retired: false };
  }

  /** The config the current set was built from. */
  get config(): GatewayConfig {
    return this.live.generation.config;
  }

  /** How many sets were put in force (1 at start). */
  get number(): number {
    return this.count;
  }

  /** The listener the HTTP server calls: hands each request to the set in force. */
  readonly listener = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const live = this.live;
    live.active += 1;
    outgoing.once('close', () => {
      live.active -= 1;
      if (live.retired && live.active === 0) void this.retire(live);
    });
    live.generation.listener(incoming, outgoing);
  };

  /** Puts a new set in force; the old one serves its requests in flight, then is retired. */
  swap(next: ProxyGeneration): void {
    const old = this.live;
    this.live = { generation: next, active: 0, retired: false };
    this.count += 1;
    old.retired = true;
    this.retiring.add(old);
    if (old.active === 0) void this.retire(old);
  }

  /** Retires every set, the current one included (at shutdown, once requests ended). */
  async close(): Promise<void> {
    this.live.retired = true;
    this.retiring.add(this.live);
    await Promise.all([...this.retiring].map((live) => this.retire(live)));
  }

  private retire(live: Live): Promise<void> {
    live.done ??= live.generation.retire().finally(() => this.retiring.delete(live));
    return live.done;
  }
}
