import { readFileSync } from 'node:fs';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisStateConfig } from '../config/types.js';

/**
 * A client of the configured Redis (`state.redis`): its URL, password and TLS settings, with
 * `overrides` on top. The state store opens its own with a command timeout and no offline queue
 * (a request never waits on a dead Redis); a reader that blocks on a stream (XREAD BLOCK)
 * needs a connection of its own without that timeout. ioredis is loaded only when used.
 */
export async function openRedisClient(
  redis: RedisStateConfig,
  password: string | undefined,
  overrides: RedisOptions = {},
): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const url = new URL(redis.url);
  return new RedisClient(redis.url, {
    ...(password !== undefined ? { password } : {}),
    ...(url.protocol === 'rediss:' || redis.tls
      ? {
          tls: {
            ...(redis.tls?.caFile ? { ca: readFileSync(redis.tls.caFile) } : {}),
            ...(redis.tls?.servername ? { servername: redis.tls.servername } : {}),
          },
        }
      : {}),
    connectTimeout: redis.connectTimeoutMs,
    ...overrides,
  });
}
