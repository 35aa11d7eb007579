import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../events/event-hub.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AuditRecordBuilder } from '../audit/record-builder.js';
import {
  REQUEST_END_BATCH_MS,
  REQUEST_END_BATCH_SIZE,
  RequestEnds,
  openAuditStream,
  openAuditWriter,
  requestEndHandler,
  requestEndKeepsRecords,
} from './request-end.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { newRequestRecord } from '../logging/request-record.js';
import type { StateStore } from '@mlx-gateway/shared/state';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'request-end-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config = (fields = {}) => ({
  enabled: true,
  dir: join(dir, 'audit'),
  maxFileSizeBytes: 1_000_000,
  retainDays: 7,
  capture: { models: [], clients: [], maxBytes: 1024 },
  stream: { enabled: true, maxLength: 1000 },
  ...fields,
});

describe('RequestEnds', () => {
  afterEach(() => vi.useRealTimers());

  /** A request that ended at `endMs` with `status`, as the pipeline closes it. */
  const finished = (ends: RequestEnds, id: string, status: number, endMs: number) => {
    const record = newRequestRecord(id, 'POST', '/v1/chat/completions', 0);
    record.status = status;
    record.model = 'qwen';
    const builder = new AuditRecordBuilder(id, 'openai.chat', 0, Date.UTC(2026, 11, 5));
    builder.attemptBegan('qwen', 'local', 0);
    ends.end(builder, record, endMs);
    return record;
  };

  it('makes the records of ended requests together, one batch time after the first ended', () => {
    vi.useFakeTimers();
    const handled: AuditRecord[] = [];
    const ends = new RequestEnds((r) => handled.push(r));
    finished(ends, 'a', 200, 7);
    vi.advanceTimersByTime(REQUEST_END_BATCH_MS - 10);
    finished(ends, 'b', 502, 9);
    expect(handled).toEqual([]);
    expect(ends.queued).toBe(2);
    vi.advanceTimersByTime(10);
    expect(handled.map((r) => [r.requestId, r.status, r.durationMs])).toEqual([
      ['a', 200, 7],
      ['b', 502, 9],
    ]);
    expect(ends.queued).toBe(0);
    // The next request starts the next batch.
    finished(ends, 'c', 200, 11);
    vi.advanceTimersByTime(REQUEST_END_BATCH_MS);
    expect(handled.map((r) => r.requestId)).toEqual(['a', 'b', 'c']);
  });

  it('handles a full batch at once, without waiting for the timer', () => {
    vi.useFakeTimers();
    const handled: AuditRecord[] = [];
    const ends = new RequestEnds((r) => handled.push(r));
    for (let i = 1; i < REQUEST_END_BATCH_SIZE; i++) finished(ends, `r${i}`, 200, i);
    expect(handled).toEqual([]);
    finished(ends, 'last', 200, 99);
    expect(handled).toHaveLength(REQUEST_END_BATCH_SIZE);
    expect(handled.at(-1)?.requestId).toBe('last');
    // The timer of that batch went with it: nothing is handled twice.
    vi.advanceTimersByTime(REQUEST_END_BATCH_MS);
    expect(handled).toHaveLength(REQUEST_END_BATCH_SIZE);
  });

  it('reads the request record when the request ends, not when its record is made', () => {
    vi.useFakeTimers();
    const handled: AuditRecord[] = [];
    const ends = new RequestEnds((r) => handled.push(r));
    const record = finished(ends, 'a', 200, 7);
    // The socket closes after the response ended: that request was complete.
    record.clientClosed = true;
    record.status = 499;
    ends.drain();
    expect(handled).toMatchObject([{ requestId: 'a', status: 200, complete: true }]);
    expect(handled[0]!.incomplete).toBeUndefined();
  });

  it('drain() handles the queue at once, and a scrape drains it first', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const ends = new RequestEnds(requestEndHandler({ metrics }), 60_000);
    metrics.beforeScrape(ends.drain);
    finished(ends, 'a', 200, 7);
    finished(ends, 'b', 200, 8);
    expect(await metrics.metrics()).toContain(
      'mlx_gateway_requests_total{model="qwen",api="openai.chat",backend="local",status_class="2xx"} 2',
    );
    expect(ends.queued).toBe(0);
    const handled: AuditRecord[] = [];
    const direct = new RequestEnds((r) => handled.push(r), 60_000);
    finished(direct, 'c', 200, 1);
    direct.drain();
    direct.drain();
    expect(handled.map((r) => r.requestId)).toEqual(['c']);
  });

  it('makes the records into one reused record for a handler that keeps none', () => {
    const seen: Array<[AuditRecord, string, number]> = [];
    const ends = new RequestEnds(
      (r) => seen.push([r, r.requestId, r.status]),
      60_000,
      () => false,
    );
    finished(ends, 'a', 200, 7);
    finished(ends, 'b', 502, 9);
    ends.drain();
    expect(seen.map(([, id, status]) => [id, status])).toEqual([
      ['a', 200],
      ['b', 502],
    ]);
    expect(seen[0]![0]).toBe(seen[1]![0]);
  });
});

describe('requestEndKeepsRecords', () => {
  it('says a handler keeps records while it feeds the Redis stream or a live follower', () => {
    const events = new EventHub();
    const stats = { written: 0, dropped: 0, writeErrors: 0, incidents: 0, pending: 0 };
    const stream = { write: () => {}, close: () => Promise.resolve(), stats };
    expect(requestEndKeepsRecords({})()).toBe(false);
    expect(requestEndKeepsRecords({ stream })()).toBe(true);
    const keeps = requestEndKeepsRecords({ events });
    expect(keeps()).toBe(false);
    const unsubscribe = events.subscribe(() => {});
    expect(keeps()).toBe(true);
    unsubscribe();
    expect(keeps()).toBe(false);
  });
});

describe('requestEndHandler', () => {
  it('writes, counts and publishes a record in one call', async () => {
    const writer = openAuditWriter(config(), { warn: () => {}, info: () => {} })!;
    const metrics = new GatewayMetrics({ processMetrics: false });
    const events = new EventHub();
    const published: string[] = [];
    events.subscribe((e) => published.push(e.type));
    const end = requestEndHandler({ writer, metrics, events });
    const builder = new AuditRecordBuilder('req-1', 'openai.chat', 0, Date.UTC(2026, 11, 4));
    builder.attemptBegan('qwen-7b', 'local', 0);
    builder.setStatus(200);
    end(builder.end(5));
    await writer.close();
    // The file is named after the day it is written (the writer's clock: today), not the record's.
    const files = readdirSync(join(dir, 'audit'));
    expect(files).toEqual([expect.stringMatching(/^audit-\d{4}-\d{2}-\d{2}\.jsonl$/)]);
    const line = readFileSync(join(dir, 'audit', files[0]!), 'utf8');
    expect(line).toMatch(/^\{"v":1,.*"requestId":"req-1"/);
    expect(published).toEqual(['request.ended']);
    expect(await metrics.metrics()).toContain(
      'mlx_gateway_requests_total{model="qwen-7b",api="openai.chat",backend="local",status_class="2xx"} 1',
    );
  });

  it('opens no writer when the audit log is off, and reports a failing disk once', async () => {
    expect(openAuditWriter(config({ enabled: false }), { warn: () => {}, info: () => {} })).toBe(
      undefined,
    );
    writeFileSync(join(dir, 'audit'), 'a file where the directory should be');
    const warnings: unknown[] = [];
    const writer = openAuditWriter(config(), { warn: (o) => warnings.push(o), info: () => {} })!;
    const end = requestEndHandler({ writer });
    const record = new AuditRecordBuilder('r', 'openai.chat', 0, Date.now()).end(1);
    end(record);
    await writer.flush();
    end(record);
    await writer.flush();
    expect(warnings).toHaveLength(1);
    expect(writer.stats.pending).toBe(2);
    await writer.close();
  });

  it('sends each record to the Redis stream too, only with state.redis and the stream on', async () => {
    const sent: unknown[] = [];
    const store = {
      kind: 'redis',
      health: () => 'ok',
      append: (_s: string, value: unknown) => {
        sent.push(value);
        return Promise.resolve('1-0');
      },
    } as unknown as StateStore;
    const state = () => Promise.resolve(store);
    const log = { warn: () => {}, info: () => {} };
    expect(openAuditStream(config(), false, state, log)).toBe(undefined);
    expect(openAuditStream(config({ enabled: false }), true, state, log)).toBe(undefined);
    expect(
      openAuditStream(config({ stream: { enabled: false, maxLength: 10 } }), true, state, log),
    ).toBe(undefined);
    const stream = openAuditStream(config(), true, state, log)!;
    const end = requestEndHandler({ stream });
    end(new AuditRecordBuilder('req-r', 'openai.chat', 0, Date.now()).end(1));
    await stream.close();
    expect(sent).toMatchObject([{ requestId: 'req-r', api: 'openai.chat' }]);
  });
});
