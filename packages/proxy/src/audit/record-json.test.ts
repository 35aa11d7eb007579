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
