import { describe, expect, it } from 'vitest';
import { apiOfPath, statusClass } from './audit-record.js';
import { CapturePolicy } from './body-capture.js';
import { writeRecordJson } from './record-json.js';
import {
  AuditRecordBuilder,
  ReusedRecord,
  incompleteReasonOfTimeout,
  isoTime,
} from './record-builder.js';

const WALL = Date.UTC(2026, 11, 4, 10, 0, 0);

describe('AuditRecordBuilder', () => {
  it('makes the record of a plain request, with only the fields it saw', () => {
    const b = new AuditRecordBuilder('req-1', 'openai.chat', 1000, WALL);
    b.setModel('qwen', false);
    b.addBytesIn(120);
    b.attemptBegan('qwen-7b', 'local', 1001);
    b.firstByte(1050);
    b.addBytesOut(300);
    b.setStatus(200);
    b.attemptEnded('ok', undefined, 1060);
    expect(b.end(1062.123)).toEqual({
      v: 1,
      time: '2026-12-04T10:00:00.000Z',
      requestId: 'req-1',
      api: 'openai.chat',
      stream: false,
      model: 'qwen',
      resolvedModel: 'qwen-7b',
      backend: 'local',
      attempts: [{ target: 'qwen-7b', backend: 'local', outcome: 'ok', durationMs: 59 }],
      coldStart: false,
      status: 200,
      complete: true,
      durationMs: 62.12,
      ttfbMs: 50,
      bytesIn: 120,
      bytesOut: 300,
    });
  });

  it('keeps every attempt of a fallback chain, with its outcome and error code', () => {
    const b = new AuditRecordBuilder('req-2', 'anthropic.messages', 0, WALL);
    b.setClient('ci');
    b.setModel('claude', true);
    b.attemptBegan('local-a', 'local', 0);
    b.modelReady(40, true);
    b.attemptEnded('error', 'MODEL_START_FAILED', 50);
    b.attemptBegan('cheap', 'openai', 50);
    b.attemptEnded('skipped', 'UNSUPPORTED_FEATURE', 51);
    b.attemptBegan('claude-cloud', 'anthropic', 51);
    b.firstByte(80);
    b.firstToken(90);
    b.firstToken(95);
    b.usage({ input: 10, cacheRead: 5, cacheWrite: 2 });
    b.usage({ output: 7 });
    b.setStatus(200);
    const record = b.end(120);
    expect(record.attempts).toEqual([
      {
        target: 'local-a',
        backend: 'local',
        outcome: 'error',
        errorCode: 'MODEL_START_FAILED',
        durationMs: 50,
      },
      {
        target: 'cheap',
        backend: 'openai',
        outcome: 'skipped',
        errorCode: 'UNSUPPORTED_FEATURE',
        durationMs: 1,
      },
      // Never reported as ended: it ended with the request, by the request's outcome.
      { target: 'claude-cloud', backend: 'anthropic', outcome: 'ok', durationMs: 69 },
    ]);
    expect(record).toMatchObject({
      client: 'ci',
      resolvedModel: 'claude-cloud',
      backend: 'anthropic',
      coldStart: true,
      modelWaitMs: 40,
      ttfbMs: 80,
      ttftMs: 90,
      usage: { input: 10, output: 7, cacheRead: 5, cacheWrite: 2 },
    });
  });

  it('records an incomplete stream with the first error code and reason', () => {
    const b = new AuditRecordBuilder('req-3', 'openai.chat', 0, WALL);
    b.attemptBegan('m', 'openai', 0);
    b.setStatus(200);
    b.fail('UPSTREAM_TIMEOUT');
    b.fail('STREAM_INTERRUPTED');
    b.setIncomplete(incompleteReasonOfTimeout('idle'));
    b.setIncomplete('client_closed');
    const record = b.end(10);
    expect(record).toMatchObject({
      complete: false,
      incomplete: 'timeout_idle',
      errorCode: 'UPSTREAM_TIMEOUT',
      attempts: [{ outcome: 'error', errorCode: 'UPSTREAM_TIMEOUT' }],
    });
  });

  it('has no model, target or attempts for a request refused before routing', () => {
    const b = new AuditRecordBuilder('req-4', apiOfPath('/v1/embeddings'), 0, WALL);
    b.setStatus(404);
    b.fail('MODEL_NOT_FOUND');
    const record = b.end(1);
    expect(record.api).toBe('openai.embeddings');
    expect(record.attempts).toEqual([]);
    expect(record).not.toHaveProperty('resolvedModel');
    expect(record).not.toHaveProperty('usage');
    expect(record.complete).toBe(true);
  });

  it('adds a capture only for the models and clients the operator chose', () => {
    const policy = new CapturePolicy({ models: ['debug-me'], clients: ['alice'], maxBytes: 1024 });
    expect(policy.captureFor('other', 'bob')).toBeUndefined();
    expect(policy.captureFor('debug-me', undefined)).toBeDefined();
    const b = new AuditRecordBuilder('req-5', 'openai.chat', 0, WALL);
    const capture = policy.captureFor('other', 'alice');
    b.setCapture(capture);
    b.capturing?.requestBody('{"messages":[{"content":"hi"}]}');
    b.capturing?.responseBody(Buffer.from('{"ok":true}'));
    expect(b.end(1).capture).toEqual({
      request: '{"messages":[{"content":"hi"}]}',
      response: '{"ok":true}',
      truncated: false,
    });
  });
});

describe('AuditRecordBuilder.endInto', () => {
  /** Builders of the shapes a record takes: plain, streamed with usage, failed, fallbacks, refused. */
  const shapes = (): AuditRecordBuilder[] => {
    const plain = new AuditRecordBuilder('a', 'openai.chat', 1000, WALL);
    plain.setModel('qwen', false);
    plain.attemptBegan('qwen-7b', 'local', 1001);
    plain.attemptEnded('ok', undefined, 1003.456);
    plain.setStatus(200);
    const stream = new AuditRecordBuilder('b', 'anthropic.messages', 0, WALL + 1);
    stream.setClient('ci');
    stream.setModel('claude', true);
    stream.attemptBegan('claude', 'cloud', 1);
    stream.modelReady(12.5, true);
    stream.firstByte(20);
    stream.firstToken(25.25);
    stream.usageCounts(10, 3, 2, -1);
    stream.setStatus(200);
    stream.setIncomplete('client_closed');
    const failed = new AuditRecordBuilder('c', 'openai.chat', 0, WALL + 2);
    failed.attemptBegan('m', 'local', 0);
    failed.fail('UPSTREAM_ERROR');
    failed.setStatus(502);
    const fallback = new AuditRecordBuilder('d', 'openai.chat', 0, WALL + 3);
    fallback.attemptBegan('first', 'local', 0);
    fallback.attemptEnded('error', 'UPSTREAM_TIMEOUT', 5);
    fallback.attemptBegan('second', 'cloud', 5);
    fallback.setStatus(200);
    const refused = new AuditRecordBuilder('e', 'openai.chat', 0, WALL + 4);
    refused.fail('MODEL_NOT_FOUND');
    refused.setStatus(404);
    return [plain, stream, failed, fallback, refused];
  };

  it('fills a reused record with what end() makes, field for field and byte for byte', () => {
    const reused = new ReusedRecord();
    const buf = Buffer.alloc(4096);
    // Each shape after each other one: nothing of the previous record stays behind.
    const builders = [...shapes(), ...shapes().reverse()];
    for (const b of builders) {
      const made = b.end(2000);
      const filled = b.endInto(reused, 2000);
      expect(filled).toBe(reused);
      expect(JSON.parse(JSON.stringify(filled))).toStrictEqual(JSON.parse(JSON.stringify(made)));
      const line = buf.toString('utf8', 0, writeRecordJson(buf, 0, filled));
      expect(line).toBe(JSON.stringify(made));
    }
  });
});

describe('statusClass', () => {
  it('groups statuses by their first digit', () => {
    expect([200, 404, 499, 503, 0].map(statusClass)).toEqual(['2xx', '4xx', '4xx', '5xx', 'other']);
  });
});

describe('isoTime', () => {
  it('writes the same text as Date#toISOString, second after second', () => {
    const start = Date.UTC(2026, 11, 4, 23, 59, 58, 0);
    for (const ms of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1999, 2000, 2500, 86_400_000]) {
      expect(isoTime(start + ms)).toBe(new Date(start + ms).toISOString());
    }
    expect(isoTime(start + 12.7)).toBe(new Date(start + 12).toISOString());
  });
});
