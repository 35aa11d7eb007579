import type { AuditRecord } from './audit-record.js';
import { matchesQuery, parseAuditLine } from './audit-query.js';
import type { AuditQuery } from './audit-query.js';

type RawEntry = [id: string, fields: string[]];

/** The commands the activity stream is read with (an ioredis client has them). */
export interface StreamReadClient {
  xrevrange(
    key: string,
    end: string,
    start: string,
    count: 'COUNT',
    n: number,
  ): Promise<RawEntry[]>;
  xread(...args: (string | number)[]): Promise<[key: string, entries: RawEntry[]][] | null>;
}

/** What the last records read leave for a follower: the newest id seen (`0-0` for none). */
export interface StreamRead {
  records: AuditRecord[];
  lastId: string;
}

const PAGE = 500;

/** The record an entry holds (its `v` field, as the state store writes it). */
function recordOf(fields: string[]): AuditRecord | undefined {
  const at = fields.indexOf('v');
  const text = at >= 0 ? fields[at + 1] : undefined;
  return text === undefined ? undefined : parseAuditLine(text);
}

/** The milliseconds part of a stream id (when the entry was added). */
function idMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/**
 * The last `limit` records of the stream that match `query`, oldest end first (XREVRANGE, a page
 * at a time, newest back), and the id of the newest entry, for a follower to start after. Stops
 * at entries added before `since`: a record is added after its request arrived.
 */
export async function readLastStreamRecords(
  client: StreamReadClient,
  key: string,
  query: AuditQuery,
  limit: number,
): Promise<StreamRead> {
  const found: AuditRecord[] = [];
  let lastId = '0-0';
  let end = '+';
  for (;;) {
    // An inclusive bound (works on every Redis version), the entry already seen skipped.
    const rows = await client.xrevrange(key, end, '-', 'COUNT', end === '+' ? PAGE : PAGE + 1);
    const fresh = end === '+' ? rows : rows.filter(([id]) => id !== end);
    if (lastId === '0-0' && fresh[0] !== undefined) lastId = fresh[0][0];
    for (const [id, fields] of fresh) {
      if (found.length >= limit) break;
      if (query.since !== undefined && idMs(id) < query.since)
        return { records: byEnd(found), lastId };
      const record = recordOf(fields);
      if (record !== undefined && matchesQuery(record, query)) found.push(record);
    }
    const oldest = fresh.at(-1);
    if (found.length >= limit || oldest === undefined || rows.length < PAGE) break;
    end = oldest[0];
  }
  return { records: byEnd(found), lastId };
}

/**
 * Oldest end first, as in the files (written as requests end): several proxies send their
 * records every half second each, so the stream's own order interleaves them by batch.
 */
function byEnd(newestFirst: AuditRecord[]): AuditRecord[] {
  const end = (r: AuditRecord): number => Date.parse(r.time) + r.durationMs;
  return newestFirst.reverse().sort((a, b) => end(a) - end(b));
}

export interface FollowOptions {
  /** Longest wait of one XREAD BLOCK (default 5 s): also how often `stopped` is looked at. */
  blockMs?: number;
  /** True once the follower should stop (a signal). */
  stopped: () => boolean;
}

/**
 * Hands every record added to the stream after `afterId` that matches `query` to `onRecord`,
 * as it is added (XREAD BLOCK: no polling), until `stopped()`; an error once stopped (the
 * client closed under a blocked read) ends the loop quietly.
 */
export async function followStream(
  client: StreamReadClient,
  key: string,
  afterId: string,
  query: AuditQuery,
  onRecord: (record: AuditRecord) => void,
  options: FollowOptions,
): Promise<void> {
  let id = afterId;
  const blockMs = options.blockMs ?? 5_000;
  while (!options.stopped()) {
    let reply: Awaited<ReturnType<StreamReadClient['xread']>>;
    try {
      reply = await client.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, id);
    } catch (err) {
      if (options.stopped()) return;
      throw err;
    }
    for (const [, entries] of reply ?? []) {
      for (const [entryId, fields] of entries) {
        id = entryId;
        const record = recordOf(fields);
        if (record !== undefined && matchesQuery(record, query)) onRecord(record);
      }
    }
  }
}
