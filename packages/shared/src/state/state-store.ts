/**
 * The gateway's shared state, on the Redis API: the embedded store (ioredis-mock, one proxy,
 * nothing to install) and a real Redis (several proxies) run the same code. It holds only what
 * must be shared or survive a proxy restart: counters with expiry (limits, budgets), a trimmed
 * stream (the activity stream), keyed documents with a TTL (stored responses) and atomic
 * check-and-update scripts (Lua, run by the server in one step).
 */

/** `ok` while commands reach the store; `down` from a failed connection until it is back. */
export type StateStoreHealth = 'ok' | 'down';

export interface StreamEntry {
  /** The stream id the store gave the entry (`<ms>-<seq>`). */
  id: string;
  /** The JSON value appended. */
  value: unknown;
}

/** A Lua script registered once and run by name; keys are prefixed like every other key. */
export interface StateScript {
  run(keys: string[], args: (string | number)[]): Promise<unknown>;
}

export interface StateStore {
  readonly kind: 'embedded' | 'redis';
  health(): StateStoreHealth;
  /** Called on every change of health (for `status` and the log). */
  onHealthChange(listener: (health: StateStoreHealth, error?: string) => void): void;

  /** Adds `by` to a counter and returns the new value; the counter expires `ttlMs` after it was created. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /** The counter's value, 0 when absent or expired. */
  counter(key: string): Promise<number>;

  /** Stores a JSON document that expires after `ttlMs`. */
  putDocument(key: string, value: unknown, ttlMs: number): Promise<void>;
  getDocument(key: string): Promise<unknown>;
  /** True when the document existed. */
  deleteDocument(key: string): Promise<boolean>;

  /** Appends a JSON value to a stream trimmed to about `maxLength` entries; returns its id. */
  append(stream: string, value: unknown, maxLength: number): Promise<string>;
  /** The newest `count` entries, newest first, older than `beforeId` when given. */
  latest(stream: string, count: number, beforeId?: string): Promise<StreamEntry[]>;
  /** Entries after `afterId` (`0` for all), oldest first, at most `count`. */
  after(stream: string, afterId: string, count: number): Promise<StreamEntry[]>;

  /** Registers a Lua script (`KEYS`/`ARGV` as in Redis) under a name. */
  script(name: string, lua: string, keyCount: number): StateScript;

  close(): Promise<void>;
}
