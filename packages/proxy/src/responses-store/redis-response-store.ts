import RedisMock from 'ioredis-mock';
import type { ResponseStore, StoredResponse } from './response-store.js';

/**
 * The Redis commands the store uses, nothing more: SET with PX, GET, DEL. Any client with the
 * ioredis API fits (ioredis itself for a real Redis, ioredis-mock for the embedded one).
 */
export interface RedisCommands {
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<number>;
}

const KEY_PREFIX = 'mlx-gateway:responses:';

/**
 * A ResponseStore on Redis commands. Writes are fire-and-forget for the request that made the
 * response, so a read waits for a write of the same id still under way: a client that sends
 * `previous_response_id` the moment the previous stream ended finds it.
 */
export class RedisResponseStore implements ResponseStore {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisCommands,
    private readonly ttlMs: number,
  ) {}

  put(stored: StoredResponse): Promise<void> {
    const id = stored.response.id;
    const write = this.redis
      .set(KEY_PREFIX + id, JSON.stringify(stored), 'PX', this.ttlMs)
      .then(() => undefined)
      .finally(() => {
        if (this.pending.get(id) === write) this.pending.delete(id);
      });
    this.pending.set(id, write);
    return write;
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.pending.get(id)?.catch(() => undefined);
    const text = await this.redis.get(KEY_PREFIX + id);
    return text === null ? undefined : (JSON.parse(text) as StoredResponse);
  }

  async delete(id: string): Promise<boolean> {
    await this.pending.get(id)?.catch(() => undefined);
    return (await this.redis.del(KEY_PREFIX + id)) > 0;
  }
}

/** The embedded store: Redis's semantics in the proxy's memory (ioredis-mock). */
export function embeddedResponseStore(ttlMs: number): RedisResponseStore {
  const Mock = RedisMock as unknown as new () => RedisCommands;
  return new RedisResponseStore(new Mock(), ttlMs);
}
