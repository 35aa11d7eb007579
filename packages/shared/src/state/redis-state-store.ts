import type { StateScript, StateStore, StateStoreHealth, StreamEntry } from './state-store.js';
import { compareIds, type StreamLog } from './stream-log.js';

type RawEntry = [string, string[]];

/**
 * The part of the ioredis client API the store uses; ioredis and ioredis-mock both provide it,
 * which is what lets the embedded store and a real Redis run the same code.
 */
export interface RedisLike {
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<number>;
  incrby(key: string, by: number): Promise<number>;
  pexpire(key: string, ms: number): Promise<number>;
  xadd(...args: (string | number)[]): Promise<string | null>;
  xrevrange(
    key: string,
    end: string,
    start: string,
    count: 'COUNT',
    n: number,
  ): Promise<RawEntry[]>;
  xrange(key: string, start: string, end: string, count: 'COUNT', n: number): Promise<RawEntry[]>;
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

function entry([id, fields]: RawEntry): StreamEntry {
  const at = fields.indexOf('v');
  const text = at >= 0 ? fields[at + 1] : undefined;
  try {
    return { id, value: text === undefined ? null : (JSON.parse(text) as unknown) };
  } catch {
    return { id, value: null };
  }
}

/** The trimmed stream on Redis streams (XADD MAXLEN ~, XREVRANGE, XRANGE). */
export class RedisStreamLog implements StreamLog {
  constructor(
    private readonly client: RedisLike,
    private readonly key: (name: string) => string,
  ) {}

  async append(stream: string, value: unknown, maxLength: number): Promise<string> {
    const args = ['MAXLEN', '~', maxLength, '*', 'v', JSON.stringify(value)];
    return (await this.client.xadd(this.key(stream), ...args)) ?? '';
  }

  async latest(stream: string, count: number, beforeId?: string): Promise<StreamEntry[]> {
    // Ask for one more: the exclusive bound `(id` needs Redis 6.2, an inclusive one works on all.
    const end = beforeId ?? '+';
    const rows = await this.client.xrevrange(this.key(stream), end, '-', 'COUNT', count + 1);
    return rows
      .filter(([id]) => beforeId === undefined || compareIds(id, beforeId) < 0)
      .slice(0, count)
      .map(entry);
  }

  async after(stream: string, afterId: string, count: number): Promise<StreamEntry[]> {
    const rows = await this.client.xrange(this.key(stream), afterId, '+', 'COUNT', count + 1);
    return rows
      .filter(([id]) => compareIds(id, afterId) > 0)
      .slice(0, count)
      .map(entry);
  }
}

export interface RedisStateStoreOptions {
  kind: 'embedded' | 'redis';
  /** Prepended to every key, so several gateways can share one Redis database. */
  keyPrefix: string;
  /** Where the stream lives; Redis streams by default. */
  streams?: StreamLog;
  /** `down` for a client that is still connecting (it refuses commands until it is ready). */
  initialHealth?: StateStoreHealth;
}

/** A StateStore over an ioredis-compatible client (see open-state-store.ts for both kinds). */
export class RedisStateStore implements StateStore {
  readonly kind: 'embedded' | 'redis';
  private readonly prefix: string;
  private readonly streams: StreamLog;
  private state: StateStoreHealth;
  private readonly listeners: ((health: StateStoreHealth, error?: string) => void)[] = [];
  private readonly scripts = new Set<string>();

  constructor(
    private readonly client: RedisLike,
    options: RedisStateStoreOptions,
  ) {
    this.kind = options.kind;
    this.prefix = options.keyPrefix;
    this.streams = options.streams ?? new RedisStreamLog(client, (name) => this.key(name));
    this.state = options.initialHealth ?? 'ok';
    client.on('ready', () => this.setHealth('ok'));
    client.on('error', (err) => this.setHealth('down', err instanceof Error ? err.message : ''));
    client.on('end', () => this.setHealth('down', 'connection closed'));
  }

  health(): StateStoreHealth {
    return this.state;
  }

  onHealthChange(listener: (health: StateStoreHealth, error?: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * INCRBY, and PEXPIRE when this call created the counter. Two plain commands rather than one
   * Lua script: ioredis-mock runs Lua in a JavaScript Lua VM at about 5 ms a call, far too slow
   * for a request path. Should a process die between the two, the counter of that one window
   * lacks an expiry; window keys carry their window number, so that leaves garbage, never a
   * wrong count.
   */
  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const full = this.key(key);
    const value = await this.client.incrby(full, by);
    if (value === by) await this.client.pexpire(full, Math.max(1, Math.ceil(ttlMs)));
    return value;
  }

  async counter(key: string): Promise<number> {
    return Number((await this.client.get(this.key(key))) ?? 0);
  }

  async putDocument(key: string, value: unknown, ttlMs: number): Promise<void> {
    const text = JSON.stringify(value);
    await this.client.set(this.key(key), text, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async getDocument(key: string): Promise<unknown> {
    const text = await this.client.get(this.key(key));
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  async deleteDocument(key: string): Promise<boolean> {
    return (await this.client.del(this.key(key))) > 0;
  }

  append(stream: string, value: unknown, maxLength: number): Promise<string> {
    return this.streams.append(stream, value, maxLength);
  }

  latest(stream: string, count: number, beforeId?: string): Promise<StreamEntry[]> {
    return this.streams.latest(stream, count, beforeId);
  }

  after(stream: string, afterId: string, count: number): Promise<StreamEntry[]> {
    return this.streams.after(stream, afterId, count);
  }

  /** ioredis's defineCommand: EVALSHA, and EVAL when the server has not seen the script. */
  script(name: string, lua: string, keyCount: number): StateScript {
    const command = `mlxgw_${name}`;
    if (!this.scripts.has(command)) {
      this.client.defineCommand(command, { numberOfKeys: keyCount, lua });
      this.scripts.add(command);
    }
    const run = (this.client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[
      command
    ]!.bind(this.client);
    return {
      run: (keys, args) => {
        if (keys.length !== keyCount) {
          return Promise.reject(new Error(`script ${name} takes ${keyCount} keys`));
        }
        return run(...keys.map((k) => this.key(k)), ...args);
      },
    };
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  private setHealth(health: StateStoreHealth, error?: string): void {
    if (health === this.state) return;
    this.state = health;
    for (const listener of this.listeners) listener(health, error);
  }
}
