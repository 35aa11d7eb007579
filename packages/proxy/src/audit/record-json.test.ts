import { describe, expect, it } from 'vitest';
import type { AuditRecord } from './audit-record.js';
import { BodyCapture } from './body-capture.js';
import { AuditRecordBuilder } from './record-builder.js';
import { recordJsonBound, writeRecordJson } from './record-json.js';

const WALL = Date.UTC(2026, 11, 4, 10, 0, 0, 7);

function written(record: AuditRecord): string {
  const buf = Buffer.alloc(recordJsonBound(record) + 8, 0x78);
  const end = writeRecordJson(buf, 3, record);
  expect(end - 3).toBeLessThanOrEqual(recordJsonBound(record));
  return buf.toString('utf8', 3, end);
}

function plain(): AuditRecord {
  const b = new AuditRecordBuilder('9f1c-uuid', 'openai.chat', 1000, WALL);
  b.setModel('qwen', false);
  b.addBytesIn(120);
  b.attemptBegan('qwen-7b', 'local', 1001);
  b.firstByte(1050);
  b.addBytesOut(300);
  b.usageCounts(12, 3, 0, 0);
  b.setStatus(200);
  b.attemptEnded('ok', undefined, 1060);
  return b.end(1062.123);
}

function everything(): AuditRecord {
  const b = new AuditRecordBuilder('req "2"\n', 'anthropic.messages', 0, WALL);
  b.setClient('ci-ключ');
  b.setModel('claude\\x', true);
  b.attemptBegan('local-a', 'local', 0);
  b.modelReady(40.123456, true);
  b.attemptEnded('error', 'MODEL_START_FAILED', 50);
  b.attemptBegan('cheap', 'openai', 50);
  b.attemptEnded('skipped', 'UNSUPPORTED_FEATURE', 51);
  b.attemptBegan('claude-cloud', 'anthropic', 51);
  b.firstByte(80);
  b.firstToken(90.5);
  b.usage({ input: 1e16, cacheRead: 5, cacheWrite: 2 });
  b.usage({ output: 7 });
  const capture = new BodyCapture(16);
  capture.requestBody('{"messages":["héllo \u2028 \ud800"]}');
  capture.responseBody(Buffer.from('ok'));
  b.setCapture(capture);
  b.setStatus(499);
  b.fail('UPSTREAM_FAILED');
  b.setIncomplete('client_closed');
  return b.end(120.000001);
}

describe('writeRecordJson', () => {
  it('writes the same line as JSON.stringify for the records the builder makes', () => {
    for (const record of [plain(), everything()]) {
      expect(written(record)).toBe(JSON.stringify(record));
    }
    const bare = new AuditRecordBuilder('r', 'unknown', 0, WALL).end(0);
    expect(written(bare)).toBe(JSON.stringify(bare));
  });

  it('writes numbers as JSON does: fractions, negatives, large integers, and null for NaN', () => {
    for (const n of [0, 9, 10, 99, 1234567, 999999999999999, 1e15, 2.5, -3, -0, 0.1 + 0.2, NaN]) {
      const record = { ...plain(), durationMs: n, bytesIn: n };
      expect(written(record)).toBe(JSON.stringify(record));
    }
  });

  it('writes the times the builder rounds to 1/100 ms as JSON does', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const scale = [1, 100, 10_000, 1e6, 1e9][i % 5] as number;
      const ms = Math.round(next() * scale * 100) / 100;
      const record = { ...plain(), durationMs: ms, ttfbMs: next() * scale };
      expect(written(record)).toBe(JSON.stringify(record));
    }
  });
});

describe('writeRecordJson, the repeating runs of a line', () => {
  it('writes each line as JSON.stringify would while the combinations of names change', () => {
    let seed = 11;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 48271) % 2147483647;
      return xs[seed % xs.length] as T;
    };
    // More combinations than the runs kept, so that earlier ones are made again.
    const models = ['qwen', 'llama', 'gpt-4o', 'claude', 'mistral', 'phi', 'gemma', 'model "x"'];
    for (let i = 0; i < 5_000; i++) {
      const b = new AuditRecordBuilder(
        `req-${i}`,
        pick(['openai.chat', 'anthropic.messages']),
        0,
        WALL + i,
      );
      const model = pick(models);
      b.setClient(pick([undefined, 'ci', 'ops-ключ']));
      b.setModel(pick([model, undefined]), pick([true, false]));
      b.addBytesIn(i);
      b.attemptBegan(pick(models), pick(['local', 'openai', 'anthropic']), 1);
      if (pick([true, false])) b.modelReady(i / 7, pick([true, false]));
      if (pick([true, false])) b.firstByte(2 + i / 3);
      b.setStatus(pick([200, 400, 429, 502]));
      const outcome = pick(['ok', 'error'] as const);
      b.attemptEnded(outcome, outcome === 'ok' ? undefined : 'UPSTREAM_ERROR', 3 + i / 11);
      if (pick([true, false])) b.usageCounts(i, i % 13, 0, pick([0, 5]));
      if (pick([false, false, true])) b.setIncomplete('client_closed');
      const record = b.end(10 + i / 9);
      expect(written(record)).toBe(JSON.stringify(record));
    }
  });
});
