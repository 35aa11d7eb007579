import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import type { AuditRecord } from './audit-record.js';
import { matchesQuery, readLastRecords, statusFilterProblem } from './audit-query.js';
import { AuditTail } from './audit-tail.js';

function record(id: string, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    v: 1,
    time: '2026-12-04T10:00:00.000Z',
    requestId: id,
    api: 'openai.chat',
    stream: false,
    attempts: [],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 0,
    ...fields,
  };
}

const lines = (records: AuditRecord[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-query-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('matchesQuery', () => {
  const r = record('a', {
    model: 'qwen',
    resolvedModel: 'qwen-7b',
    client: 'ci',
    status: 503,
    complete: false,
    time: '2026-12-04T10:00:00.000Z',
  });

  it('matches the requested or the resolved model, the client, the status and the time', () => {
    expect(matchesQuery(r, { model: 'qwen' })).toBe(true);
    expect(matchesQuery(r, { model: 'qwen-7b' })).toBe(true);
    expect(matchesQuery(r, { model: 'other' })).toBe(false);
    expect(matchesQuery(r, { client: 'ci' })).toBe(true);
    expect(matchesQuery(r, { client: 'cd' })).toBe(false);
    expect(matchesQuery(r, { status: '5xx' })).toBe(true);
    expect(matchesQuery(r, { status: '503' })).toBe(true);
    expect(matchesQuery(r, { status: 'error' })).toBe(true);
    expect(matchesQuery(r, { status: '2xx' })).toBe(false);
    expect(matchesQuery(r, { incompleteOnly: true })).toBe(true);
    expect(matchesQuery({ ...r, complete: true }, { incompleteOnly: true })).toBe(false);
    const at = Date.parse(r.time);
    expect(matchesQuery(r, { since: at, until: at + 1 })).toBe(true);
    expect(matchesQuery(r, { since: at + 1 })).toBe(false);
    expect(matchesQuery(r, { until: at })).toBe(false);
  });

  it('explains a status filter that can match nothing', () => {
    expect(statusFilterProblem('5xx')).toBeUndefined();
    expect(statusFilterProblem('ERROR')).toBeUndefined();
    expect(statusFilterProblem('bad')).toMatch(/not a status \(200\), a class \(5xx\) or "error"/);
  });
});

describe('readLastRecords', () => {
  it('gives the last N matches across rotated files, oldest first, skipping broken lines', async () => {
    writeFileSync(
      join(dir, 'audit-2026-12-03.jsonl'),
      lines([record('1'), record('2', { status: 500 })]),
    );
    writeFileSync(
      join(dir, 'audit-2026-12-04.jsonl'),
      lines([record('3'), record('4', { status: 502 })]),
    );
    writeFileSync(
      join(dir, 'audit-2026-12-04.1.jsonl'),
      `${lines([record('5')])}not json\n{"v":1,"requestId":"cut`,
    );
    writeFileSync(join(dir, 'other.txt'), 'ignored');
    const ids = async (query = {}, n = 10) =>
      (await readLastRecords(dir, query, n)).map((r) => r.requestId);
    expect(await ids()).toEqual(['1', '2', '3', '4', '5']);
    expect(await ids({}, 2)).toEqual(['4', '5']);
    expect(await ids({ status: 'error' }, 10)).toEqual(['2', '4']);
    expect(await ids({ since: Date.UTC(2026, 11, 4, 11) }, 10)).toEqual([]);
    expect(await readLastRecords(join(dir, 'missing'), {}, 5)).toEqual([]);
  });
});

describe('AuditTail', () => {
  it('hands over records appended from now on, across a rotation', async () => {
    const audit = join(dir, 'audit');
    mkdirSync(audit);
    writeFileSync(join(audit, 'audit-2026-12-04.jsonl'), lines([record('old')]));
    const seen: string[] = [];
    const tail = new AuditTail(audit, (r) => seen.push(r.requestId), 50);
    await tail.start();
    try {
      appendFileSync(join(audit, 'audit-2026-12-04.jsonl'), lines([record('new-1')]));
      await waitUntil(() => seen.length === 1);
      // Half a line first: it is handed over once complete.
      const next = JSON.stringify(record('new-2'));
      appendFileSync(join(audit, 'audit-2026-12-04.jsonl'), next.slice(0, 20));
      appendFileSync(join(audit, 'audit-2026-12-04.jsonl'), `${next.slice(20)}\n`);
      writeFileSync(join(audit, 'audit-2026-12-04.1.jsonl'), lines([record('rotated')]));
      await waitUntil(() => seen.length === 3);
      expect(seen).toEqual(['new-1', 'new-2', 'rotated']);
    } finally {
      await tail.stop();
    }
  });

  it('waits for a directory that does not exist yet', async () => {
    const audit = join(dir, 'later');
    const seen: string[] = [];
    const tail = new AuditTail(audit, (r) => seen.push(r.requestId), 20);
    await tail.start();
    try {
      mkdirSync(audit);
      writeFileSync(join(audit, 'audit-2026-12-05.jsonl'), lines([record('first')]));
      await waitUntil(() => seen.length === 1);
      expect(seen).toEqual(['first']);
    } finally {
      await tail.stop();
    }
  });
});
