import type { AuditQuery, AuditRecord, StreamReadClient } from '@mlx-gateway/proxy';
import { AUDIT_STREAM, followStream, readLastStreamRecords } from '@mlx-gateway/proxy';
import type { GatewayConfig, RedisStateConfig } from '@mlx-gateway/shared/config';
import { openSecretStore, resolveSecret } from '@mlx-gateway/shared/secrets';
import { openRedisClient } from '@mlx-gateway/shared/state';

/**
 * The activity of every proxy of the gateway, from the shared Redis stream (`state.redis`):
 * the last records by XREVRANGE, then, with `-f`, new ones by XREAD BLOCK on a connection of
 * its own (no command timeout: a blocked read waits as long as it must).
 */
export interface ActivityStream {
  /** Where the records come from, for the messages (`redis://host:port/db key`). */
  readonly source: string;
  readLast(query: AuditQuery, limit: number): Promise<{ records: AuditRecord[]; lastId: string }>;
  /** Prints new records after `afterId` until SIGINT/SIGTERM. */
  follow(afterId: string, query: AuditQuery, print: (record: AuditRecord) => void): Promise<void>;
  close(): void;
}

/** True when `activity` reads the Redis stream: Redis configured and the stream not switched off. */
export function readsStream(config: GatewayConfig): boolean {
  return config.state?.redis !== undefined && config.audit?.stream?.enabled !== false;
}

async function passwordOf(config: GatewayConfig, redis: RedisStateConfig) {
  const ref = redis.password;
  if (ref === undefined) return undefined;
  if (ref.kind === 'env') return resolveSecret(ref, { env: process.env });
  return resolveSecret(ref, { store: await openSecretStore(config.home) });
}

export async function openActivityStream(config: GatewayConfig): Promise<ActivityStream> {
  const redis = config.state!.redis!;
  const key = `${config.state!.keyPrefix}${AUDIT_STREAM}`;
  const source = `${redis.url} ${key}`;
  let problem: string | undefined;
  let connected = false;
  const client = await openRedisClient(redis, await passwordOf(config, redis), {
    lazyConnect: true,
    // A follower waits through a Redis restart (its blocked read is sent again); the first
    // connection fails at once instead (see connect() below).
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2_000),
  });
  // Reported once per cause while following; the first connection's failure is thrown below.
  client.on('error', (err: Error) => {
    if (!connected || problem === err.message) return;
    problem = err.message;
    process.stderr.write(`Redis (state.redis, ${redis.url}): ${err.message}; retrying\n`);
  });
  client.on('ready', () => {
    if (problem === undefined) return;
    problem = undefined;
    process.stderr.write(`Redis (state.redis, ${redis.url}): reachable again\n`);
  });
  try {
    await client.connect();
    connected = true;
  } catch (err) {
    client.disconnect();
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot read the activity stream from Redis at ${redis.url} (state.redis): ${why}; ` +
        "`mlx-gateway activity --files` reads this machine's audit files instead",
    );
  }
  const reader = client as unknown as StreamReadClient;
  return {
    source,
    readLast: (query, limit) => readLastStreamRecords(reader, key, query, limit),
    async follow(afterId, query, print) {
      let stopped = false;
      const stop = (): void => {
        stopped = true;
        client.disconnect();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await followStream(reader, key, afterId, query, print, { stopped: () => stopped });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    },
    close: () => client.disconnect(),
  };
}
