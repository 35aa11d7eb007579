import { readFile } from 'node:fs/promises';
import type { AuditRecord } from './audit-record.js';
import { statusClass } from './audit-record.js';
import { listAuditFiles } from './audit-files.js';

/** What `mlx-gateway activity` asks of the audit log. */
export interface AuditQuery {
  /** Requested or resolved model name. */
  model?: string;
  /** Client key name. */
  client?: string;
  /** A status (`404`), a class (`5xx`) or `error` (any status of 400 and above). */
  status?: string;
  /** Epoch milliseconds, inclusive. */
  since?: number;
  /** Epoch milliseconds, exclusive. */
  until?: number;
  incompleteOnly?: boolean;
}

const STATUS_FILTER = /^(?:[1-5]\d\d|[1-5]xx|error)$/;

/** A clear message for a status filter that cannot match anything, or undefined when valid. */
export function statusFilterProblem(text: string): string | undefined {
  return STATUS_FILTER.test(text.toLowerCase())
    ? undefined
    : `--status "${text}" is not a status (200), a class (5xx) or "error"`;
}

export function matchesQuery(record: AuditRecord, query: AuditQuery): boolean {
  if (
    query.model !== undefined &&
    record.model !== query.model &&
    record.resolvedModel !== query.model
  )
    return false;
  if (query.client !== undefined && record.client !== query.client) return false;
  if (query.incompleteOnly === true && record.complete) return false;
  if (query.status !== undefined && !matchesStatus(record.status, query.status.toLowerCase()))
    return false;
  if (query.since !== undefined || query.until !== undefined) {
    const time = Date.parse(record.time);
    if (query.since !== undefined && !(time >= query.since)) return false;
    if (query.until !== undefined && !(time < query.until)) return false;
  }
  return true;
}

function matchesStatus(status: number, filter: string): boolean {
  if (filter === 'error') return status >= 400;
  if (filter.endsWith('xx')) return statusClass(status) === filter;
  return String(status) === filter;
}

/** One line of an audit file, or undefined for a line that is not a record (a cut last line). */
export function parseAuditLine(line: string): AuditRecord | undefined {
  if (line === '') return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1)
      return undefined;
    return value as AuditRecord;
  } catch {
    return undefined;
  }
}

/**
 * The last `limit` records of the audit directory that match `query`, oldest first. Reads
 * files from the newest back and stops as soon as it has enough (or reaches `since`'s day).
 */
export async function readLastRecords(
  dir: string,
  query: AuditQuery,
  limit: number,
): Promise<AuditRecord[]> {
  const files = await listAuditFiles(dir);
  const sinceDay =
    query.since === undefined ? undefined : new Date(query.since).toISOString().slice(0, 10);
  const found: AuditRecord[][] = [];
  let count = 0;
  for (let i = files.length - 1; i >= 0 && count < limit; i--) {
    const file = files[i]!;
    if (sinceDay !== undefined && file.day < sinceDay) break;
    let text: string;
    try {
      text = await readFile(file.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const matches: AuditRecord[] = [];
    for (const line of text.split('\n')) {
      const record = parseAuditLine(line);
      if (record !== undefined && matchesQuery(record, query)) matches.push(record);
    }
    const take = matches.slice(Math.max(0, matches.length - (limit - count)));
    found.push(take);
    count += take.length;
  }
  return found.reverse().flat();
}
