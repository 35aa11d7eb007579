import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The audit files of a directory: `audit-YYYY-MM-DD.jsonl` for the first file of a UTC day,
 * then `audit-YYYY-MM-DD.1.jsonl`, `.2`, ... as files reach their size limit.
 */
export interface AuditFile {
  name: string;
  path: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  seq: number;
}

const FILE_NAME = /^audit-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.jsonl$/;
const DAY_MS = 86_400_000;

export function auditFileName(day: string, seq: number): string {
  return seq === 0 ? `audit-${day}.jsonl` : `audit-${day}.${seq}.jsonl`;
}

/** The UTC day of an epoch time, `YYYY-MM-DD`. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** The day `days` before the day of `epochMs`. */
export function dayBefore(epochMs: number, days: number): string {
  return utcDay(epochMs - days * DAY_MS);
}

export function parseAuditFileName(dir: string, name: string): AuditFile | undefined {
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  return { name, path: join(dir, name), day: match[1] as string, seq: Number(match[2] ?? 0) };
}

/** The audit files of `dir`, oldest first; none when the directory does not exist. */
export async function listAuditFiles(dir: string): Promise<AuditFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: AuditFile[] = [];
  for (const name of names) {
    const file = parseAuditFileName(dir, name);
    if (file !== undefined) files.push(file);
  }
  return files.sort(compareAuditFiles);
}

export function compareAuditFiles(a: AuditFile, b: AuditFile): number {
  return a.day < b.day ? -1 : a.day > b.day ? 1 : a.seq - b.seq;
}
