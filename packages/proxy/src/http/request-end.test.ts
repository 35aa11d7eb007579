import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventHub } from '../events/event-hub.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AuditRecordBuilder } from '../audit/record-builder.js';
import { openAuditStream, openAuditWriter, requestEndHandler } from './request-end.js';
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
