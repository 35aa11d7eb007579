import { describe, expect, it } from 'vitest';
import type { AuditRecord } from './audit-record.js';
import { followStream, readLastStreamRecords } from './audit-stream-reader.js';
import type { StreamReadClient } from './audit-stream-reader.js';

const T0 = Date.UTC(2026, 11, 4, 10);

function record(n: number, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    v: 1,
    time: new Date(T0 + n * 1000).toISOString(),
    requestId: `req-${n}`,
    api: 'openai.chat',
    stream: false,
    model: n % 2 === 0 ? 'even' : 'odd',
    attempts: [],
    coldStart: false,
    status: n % 5 === 0 ? 500 : 200,
    complete: true,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 0,
    ...fields,
  };
}

type Entry = [string, string[]];

/** A stream in memory with Redis's XREVRANGE and XREAD semantics (as far as they are used). */
class FakeStreamClient implements StreamReadClient {
  entries: Entry[] = [];
  calls: string[] = [];
  private waiting: (() => void) | undefined;

  add(n: number, fields: Partial<AuditRecord> = {}): string {
    const id = `${T0 + n * 1000 + 5}-0`;
    this.entries.push([id, ['v', JSON.stringify(record(n, fields))]]);
    this.waiting?.();
    return id;
  }

  xrevrange(key: string, end: string, start: string, _c: 'COUNT', n: number): Promise<Entry[]> {
    this.calls.push(`XREVRANGE ${key} ${end} ${start} ${n}`);
    const rows = [...this.entries]
      .reverse()
      .filter(([id]) => end === '+' || cmp(id, end) <= 0)
      .slice(0, n);
    return Promise.resolve(rows);
  }

  async xread(...args: (string | number)[]): Promise<[string, Entry[]][] | null> {
    const key = String(args[5]);
    const after = String(args[6]);
    const newer = () => this.entries.filter(([id]) => cmp(id, after) > 0);
    if (newer().length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
    this.waiting = undefined;
    return [[key, newer().slice(0, Number(args[1]))]];
  }
}

function cmp(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

describe('the activity stream reader', () => {
  it("the last records by their end, though two proxies' batches reached the stream out of order", async () => {
    const client = new FakeStreamClient();
    // Proxy B sent its batch (ends at 2 s and 4 s) before proxy A sent its own (1 s and 3 s).
    const at = (id: number) => `${T0 + 5_000 + id}-0`;
    for (const [id, n] of [
      [1, 2],
      [2, 4],
      [3, 1],
      [4, 3],
    ] as const) {
      client.entries.push([at(id), ['v', JSON.stringify(record(n))]]);
    }
    const last = await readLastStreamRecords(client, 'audit', {}, 1);
    expect(last.records.map((r) => r.requestId)).toEqual(['req-4']);
    const two = await readLastStreamRecords(client, 'audit', {}, 2);
    expect(two.records.map((r) => r.requestId)).toEqual(['req-3', 'req-4']);
    const none = await readLastStreamRecords(client, 'audit', {}, 0);
    expect(none).toEqual({ records: [], lastId: at(4) });
  });

  it('reads the last matching records oldest first, a page at a time, and the newest id', async () => {
    const client = new FakeStreamClient();
    let newest = '';
    for (let i = 1; i <= 1200; i++) newest = client.add(i);
    const { records, lastId } = await readLastStreamRecords(
      client,
      'gw:audit',
      { model: 'odd' },
      400,
    );
    expect(records).toHaveLength(400);
    expect(records[0]!.requestId).toBe('req-401');
    expect(records.at(-1)!.requestId).toBe('req-1199');
    expect(lastId).toBe(newest);
    // Two pages: the second starts at the last id of the first (inclusive, skipped).
    expect(client.calls).toHaveLength(2);
    expect(client.calls[1]).toMatch(/^XREVRANGE gw:audit \d+-0 - 501$/);
  });

  it('stops at entries added before --since, and skips entries that are not records', async () => {
    const client = new FakeStreamClient();
    for (let i = 1; i <= 10; i++) client.add(i);
    client.entries.push([`${T0 + 20_000}-0`, ['v', 'not json']]);
    const { records } = await readLastStreamRecords(
      client,
      'k',
      { since: T0 + 8_000, status: '2xx' },
      100,
    );
    expect(records.map((r) => r.requestId)).toEqual(['req-8', 'req-9']);
    expect(client.calls).toHaveLength(1);
  });

  it('an empty stream: no records, followers start at 0-0', async () => {
    expect(await readLastStreamRecords(new FakeStreamClient(), 'k', {}, 20)).toEqual({
      records: [],
      lastId: '0-0',
    });
  });

  it('follows new records after the given id with the same filters, until stopped', async () => {
    const client = new FakeStreamClient();
    const start = client.add(1);
    const seen: string[] = [];
    let stop = false;
    const following = followStream(
      client,
      'k',
      start,
      { model: 'even' },
      (r) => {
        seen.push(r.requestId);
        if (r.requestId === 'req-4') stop = true;
      },
      { stopped: () => stop },
    );
    client.add(2);
    client.add(3);
    client.add(4);
    await following;
    expect(seen).toEqual(['req-2', 'req-4']);
  });
});
