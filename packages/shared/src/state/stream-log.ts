import type { StreamEntry } from './state-store.js';

/** The trimmed stream of a StateStore: Redis streams, or process memory for the embedded store. */
export interface StreamLog {
  append(stream: string, value: unknown, maxLength: number): Promise<string>;
  latest(stream: string, count: number, beforeId?: string): Promise<StreamEntry[]>;
  after(stream: string, afterId: string, count: number): Promise<StreamEntry[]>;
}

/** Orders two stream ids (`<ms>-<seq>`) as Redis does. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * The embedded store's stream, in process memory. ioredis-mock 8.13 cannot serve it: its XADD
 * mangles ids once MAXLEN trims, and it has no XDEL or XTRIM. A stream in a single-process store
 * is shared with nobody, so memory loses nothing a Redis stream would give.
 */
export class MemoryStreamLog implements StreamLog {
  private readonly streams = new Map<string, StreamEntry[]>();
  private lastMs = 0;
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  append(stream: string, value: unknown, maxLength: number): Promise<string> {
    const ms = Math.max(this.now(), this.lastMs);
    this.seq = ms === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = ms;
    const id = `${ms}-${this.seq}`;
    let entries = this.streams.get(stream);
    if (!entries) this.streams.set(stream, (entries = []));
    // A copy through JSON, as a Redis round trip would make: later changes to `value` do not leak in.
    entries.push({ id, value: JSON.parse(JSON.stringify(value)) as unknown });
    if (entries.length > maxLength) entries.splice(0, entries.length - maxLength);
    return Promise.resolve(id);
  }

  latest(stream: string, count: number, beforeId?: string): Promise<StreamEntry[]> {
    const entries = this.streams.get(stream) ?? [];
    const older =
      beforeId === undefined ? entries : entries.filter((e) => compareIds(e.id, beforeId) < 0);
    return Promise.resolve(older.slice(-count).reverse());
  }

  after(stream: string, afterId: string, count: number): Promise<StreamEntry[]> {
    const entries = this.streams.get(stream) ?? [];
    return Promise.resolve(entries.filter((e) => compareIds(e.id, afterId) > 0).slice(0, count));
  }
}
