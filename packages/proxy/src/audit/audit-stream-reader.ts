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
 * How far before the `limit`-th latest end found the scan goes on: a record is added when its
 * proxy next sends (at most a second after its request ended), so several proxies' batches
 * interleave; the rest is room for the proxies' clocks against Redis's.
 */
const BATCH_SLACK_MS = 2_000;

const endOf = (r: AuditRecord): number => Date.parse(r.time) + r.durationMs;

/** The `limit`-th latest end among `found` (undefined while fewer are found). */
function limitEnd(found: AuditRecord[], limit: number): number | undefined {
  if (found.length < limit) return undefined;
  return found.map(endOf).sort((a, b) => b - a)[limit - 1];
}

/**
 * The last `limit` records of the stream that match `query` by the time their requests ended,
 * oldest end first (XREVRANGE, a page at a time, newest back), and the id of the newest entry,
 * for a follower to start after. Records reach the stream in each proxy's batches, so the scan
 * goes on past the first `limit` matches to entries added up to BATCH_SLACK_MS before the
 * `limit`-th latest end: an entry added earlier ended earlier. Stops at entries added before
 * `since`: a record is added after its request arrived.
 */
export async function readLastStreamRecords(
  client: StreamReadClient,
  key: string,
  query: AuditQuery,
  limit: number,
): Promise<StreamRead> {
  if (limit <= 0) {
    const newest = await client.xrevrange(key, '+', '-', 'COUNT', 1);
    return { records: [], lastId: newest[0]?.[0] ?? '0-0' };
  }
  const found: AuditRecord[] = [];
  let lastId = '0-0';
  let end = '+';
  let cutoff: number | undefined;
  scan: for (;;) {
    // An inclusive bound (works on every Redis version), the entry already seen skipped.
    const rows = await client.xrevrange(key, end, '-', 'COUNT', end === '+' ? PAGE : PAGE + 1);
    const fresh = end === '+' ? rows : rows.filter(([id]) => id !== end);
    if (lastId === '0-0' && fresh[0] !== undefined) lastId = fresh[0][0];
    for (const [id, fields] of fresh) {
      const added = idMs(id);
      if (query.since !== undefined && added < query.since) break scan;
      if (cutoff !== undefined && added < cutoff - BATCH_SLACK_MS) break scan;
      const record = recordOf(fields);
      if (record !== undefined && matchesQuery(record, query)) {
        found.push(record);
        if (found.length === limit) cutoff = limitEnd(found, limit);
      }
    }
    if (found.length > limit) cutoff = limitEnd(found, limit);
    const oldest = fresh.at(-1);
    if (oldest === undefined || rows.length < PAGE) break;
    end = oldest[0];
  }
  return { records: byEnd(found).slice(-limit), lastId };
}

/**
 * Oldest end first, as in the files (written as requests end): several proxies send their
 * records every half second each, so the stream's own order interleaves them by batch.
 */
function byEnd(newestFirst: AuditRecord[]): AuditRecord[] {
  return newestFirst.reverse().sort((a, b) => endOf(a) - endOf(b));
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
