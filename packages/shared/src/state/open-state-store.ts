import type { StateConfig } from '../config/types.js';
import { openRedisClient } from './redis-client.js';
import { RedisStateStore, type RedisLike } from './redis-state-store.js';
import type { StateStore } from './state-store.js';
import { MemoryStreamLog } from './stream-log.js';

export interface OpenStateStoreOptions {
  /** The Redis password, already resolved from its `${secret:...}` / `${env:...}` reference. */
  password?: string;
}

let embeddedCount = 0;

/**
 * The store a config asks for: a real Redis (`state.redis`), or the embedded ioredis-mock.
 * Each is loaded only when used, so a process that never opens a store never loads either.
 */
export async function openStateStore(
  config: StateConfig,
  options: OpenStateStoreOptions = {},
): Promise<StateStore> {
  const redis = config.redis;
  if (redis === undefined) {
    const { default: RedisMock } = await import('ioredis-mock');
    // ioredis-mock shares its data between instances of one host and port: give each store its own.
    const client = new RedisMock({ port: 1 + (embeddedCount++ % 65535) });
    return new RedisStateStore(client as unknown as RedisLike, {
      kind: 'embedded',
      keyPrefix: config.keyPrefix,
      streams: new MemoryStreamLog(),
    });
  }
  const client = await openRedisClient(redis, options.password, {
    commandTimeout: redis.commandTimeoutMs,
    // While Redis is unreachable a command fails at once instead of queueing behind the
    // reconnection: no request waits on a dead Redis longer than the command timeout.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Commands issued in the same tick (a limit check sends one per limit) go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  return new RedisStateStore(client as unknown as RedisLike, {
    kind: 'redis',
    keyPrefix: config.keyPrefix,
    initialHealth: 'down',
  });
}
