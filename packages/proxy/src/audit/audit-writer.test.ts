import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from './audit-record.js';
import { AuditWriter } from './audit-writer.js';
import type { AuditWriterOptions } from './audit-writer.js';

const DAY1 = Date.UTC(2026, 11, 4, 12);
const DAY2 = Date.UTC(2026, 11, 5, 0, 0, 1);

function record(n: number): AuditRecord {
  return {
    v: 1,
    time: new Date(DAY1 + n).toISOString(),
    requestId: `req-${n}`,
    api: 'openai.chat',
    stream: false,
    attempts: [],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 0,
  };
}

function ids(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as AuditRecord).requestId);
}

let dir: string;
let now: number;
const writers: AuditWriter[] = [];

function writer(options: Partial<AuditWriterOptions> = {}): AuditWriter {
  const w = new AuditWriter({
    dir: join(dir, 'audit'),
    maxFileSizeBytes: 1_000_000,
    retainDays: 7,
    now: () => now,
    ...options,
  });
  writers.push(w);
  return w;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dir = mkdtempSync(join(tmpdir(), 'audit-writer-'));
  now = DAY1;
});

afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditWriter', () => {
  it('writes queued records as JSON lines within a second, not at each write', async () => {
    const w = writer();
    w.write(record(1));
    w.write(record(2));
    await w.idle();
    const file = join(dir, 'audit', 'audit-2026-12-04.jsonl');
    expect(existsSync(file)).toBe(false);
    vi.advanceTimersByTime(1000);
    await w.idle();
    expect(ids(file)).toEqual(['req-1', 'req-2']);
    expect(w.stats).toMatchObject({ written: 2, pending: 0, dropped: 0 });
    // They name clients and models: private to the user.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'audit')).mode & 0o777).toBe(0o700);
  });

  it('writes records of any size and script whole, in order, across its 64 KB slabs', async () => {
    const w = writer();
    const big = { ...record(2), model: 'é'.repeat(70_000) };
    const many = Array.from({ length: 400 }, (_, i) => ({
      ...record(10 + i),
      model: `modèle-${i}`,
    }));
    w.write(record(1));
    w.write(big);
    for (const r of many) w.write(r);
    await w.flush();
    const lines = readFileSync(join(dir, 'audit', 'audit-2026-12-04.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines).toEqual([record(1), big, ...many]);
    expect(w.stats).toMatchObject({ written: 402, pending: 0 });
  });

  it('reuses its buffers once written: lines queued while a write is under way stay whole', async () => {
    const w = writer({ maxFileSizeBytes: 100_000_000 });
    const all: AuditRecord[] = [];
    const queue = (from: number, count: number): void => {
      for (let i = from; i < from + count; i++) {
        const r = { ...record(i), model: `model-${i}-${'x'.repeat(i % 300)}` };
        all.push(r);
        w.write(r);
      }
    };
    // Each batch spans several 64 KB slabs; the next one is queued while the last is written.
    queue(0, 600);
    for (let batch = 1; batch <= 12; batch++) {
      const written = w.flush();
      queue(batch * 600, 600);
      await written;
    }
    await w.flush();
    const lines = readFileSync(join(dir, 'audit', 'audit-2026-12-04.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines).toEqual(all);
  });

  it('keeps the lines of a failed write whole though its buffers are reused', async () => {
    const blocker = join(dir, 'audit');
    writeFileSync(blocker, 'not a directory');
    const w = writer();
    const all = Array.from({ length: 1500 }, (_, i) => ({ ...record(i), model: `m-${i}` }));
    for (const r of all.slice(0, 700)) w.write(r);
    await w.flush();
    expect(w.stats).toMatchObject({ writeErrors: 1, pending: 700 });
    for (const r of all.slice(700)) w.write(r);
    rmSync(blocker);
    await w.flush();
    expect(ids(join(blocker, 'audit-2026-12-04.jsonl'))).toEqual(all.map((r) => r.requestId));
  });

  it('writes a large batch at once, without waiting for the timer', async () => {
    const w = writer({ flushAtRecords: 3 });
    for (let i = 0; i < 3; i++) w.write(record(i));
    await w.idle();
    expect(ids(join(dir, 'audit', 'audit-2026-12-04.jsonl'))).toHaveLength(3);
  });

  it('loses nothing on close, and counts a record written after it as dropped', async () => {
    const w = writer();
    for (let i = 0; i < 10; i++) w.write(record(i));
    await w.close();
    w.write(record(99));
    expect(ids(join(dir, 'audit', 'audit-2026-12-04.jsonl'))).toHaveLength(10);
    expect(w.stats.dropped).toBe(1);
  });

  it('rotates by size and by UTC day, and carries on in the last file after a restart', async () => {
    const size = JSON.stringify(record(1)).length + 1;
    const w = writer({ maxFileSizeBytes: size * 2 });
    for (let i = 0; i < 5; i++) {
      w.write(record(i));
      await w.flush();
    }
    now = DAY2;
    w.write(record(5));
    await w.close();
    const files = readdirSync(join(dir, 'audit')).sort();
    expect(files).toEqual([
      'audit-2026-12-04.1.jsonl',
      'audit-2026-12-04.2.jsonl',
      'audit-2026-12-04.jsonl',
      'audit-2026-12-05.jsonl',
    ]);
    expect(ids(join(dir, 'audit', 'audit-2026-12-04.2.jsonl'))).toEqual(['req-4']);
    const again = writer({ maxFileSizeBytes: size * 2 });
    again.write(record(6));
    await again.close();
    expect(ids(join(dir, 'audit', 'audit-2026-12-05.jsonl'))).toEqual(['req-5', 'req-6']);
  });

  it('deletes the files of days past the retention (7 days: today and the 6 before)', async () => {
    const audit = join(dir, 'audit');
    const w0 = writer();
    w0.write(record(0));
    await w0.close();
    for (const name of [
      'audit-2026-11-20.jsonl',
      'audit-2026-11-29.3.jsonl',
      'audit-2026-11-28.jsonl',
      'notes.txt',
    ]) {
      writeFileSync(join(audit, name), '');
    }
    now = DAY2;
    const w = writer({ retainDays: 7 });
    w.write(record(1));
    await w.close();
    expect(readdirSync(audit).sort()).toEqual([
      'audit-2026-11-29.3.jsonl',
      'audit-2026-12-04.jsonl',
      'audit-2026-12-05.jsonl',
      'notes.txt',
    ]);
  });

  it('never throws on a failing disk: reports once per incident, counts, and writes later', async () => {
    const problems: string[] = [];
    const recovered: number[] = [];
    const blocker = join(dir, 'audit');
    writeFileSync(blocker, 'not a directory');
    const w = writer({
      onProblem: (err) => problems.push(err.message),
      onRecovered: (dropped) => recovered.push(dropped),
    });
    w.write(record(1));
    await w.flush();
    w.write(record(2));
    await w.flush();
    expect(problems).toHaveLength(1);
    expect(w.stats).toMatchObject({ writeErrors: 2, incidents: 1, written: 0, pending: 2 });
    rmSync(blocker);
    w.write(record(3));
    await w.flush();
    expect(ids(join(blocker, 'audit-2026-12-04.jsonl'))).toEqual(['req-1', 'req-2', 'req-3']);
    expect(recovered).toEqual([0]);
    expect(w.stats).toMatchObject({ written: 3, pending: 0 });
  });

  it('survives a full disk (ENOSPC) and keeps at most maxPendingRecords, dropping the oldest', async () => {
    const audit = join(dir, 'audit');
    const w0 = writer();
    w0.write(record(0));
    await w0.close();
    rmSync(join(audit, 'audit-2026-12-04.jsonl'));
    symlinkSync('/dev/full', join(audit, 'audit-2026-12-04.jsonl'));
    const problems: Error[] = [];
    const w = writer({ maxPendingRecords: 3, onProblem: (err) => problems.push(err) });
    for (let i = 1; i <= 5; i++) w.write(record(i));
    await w.flush();
    expect(problems.map((p) => (p as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(w.stats).toMatchObject({ dropped: 2, pending: 3, incidents: 1 });
    w.write(record(6));
    expect(w.stats).toMatchObject({ dropped: 3, pending: 3 });
    rmSync(join(audit, 'audit-2026-12-04.jsonl'));
    await w.flush();
    expect(ids(join(audit, 'audit-2026-12-04.jsonl'))).toEqual(['req-4', 'req-5', 'req-6']);
  });
});
