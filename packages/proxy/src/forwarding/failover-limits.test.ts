import { afterEach, describe, expect, it } from 'vitest';
import type { ClientLimits } from '@mlx-gateway/shared/clients';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { AuditRecord } from '../audit/audit-record.js';
import { startProxy } from '../server.js';
import type { RunningProxy } from '../server.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import type { UpstreamExchange } from '../testing/fake-upstream.js';
import { SseReader, open, send } from '../testing/proxy-client.js';
import type { BufferedResponse } from '../testing/proxy-client.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { gatewayConfig, remoteModel } from '../testing/test-config.js';
import { waitUntil } from '../testing/wait-until.js';

/**
 * Model limits per attempt, through the real proxy (embedded store): a fallback served by a
 * model with `limits:` of its own is counted against them when the chain reaches it.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** 5 s into a UTC minute: the minute's limits reset in 55 s. */
const WALL = Date.UTC(2026, 5, 1, 8, 30, 5);

async function upstream(handler?: (ex: UpstreamExchange) => void): Promise<FakeUpstream> {
  const server = await FakeUpstream.start(handler);
  cleanups.push(() => server.close());
  return server;
}

function answer(status: number, body: unknown): (ex: UpstreamExchange) => void {
  return (ex) => {
    ex.res.writeHead(status, { 'content-type': 'application/json' });
    ex.res.end(JSON.stringify(body));
  };
}

const failing = answer(500, { error: { message: 'internal failure' } });

/** A chat completion naming the model it was sent, with 20 + 10 tokens of usage. */
function completion(ex: UpstreamExchange): void {
  answer(200, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: ex.json['model'],
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: `from ${String(ex.json['model'])}` },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
  })(ex);
}

/** One model of the chain: its upstream, its fallbacks, its limits. */
function model(name: string, server: FakeUpstream, fallbacks: string[], limits?: ClientLimits) {
  return remoteModel(name, `${server.origin}/v1`, { fallbacks, ...(limits ? { limits } : {}) });
}

interface Gateway {
  url: string;
  /** The audit records of the requests ended so far (from the live events). */
  records: AuditRecord[];
}

/** The real proxy with a fixed wall clock for the limit windows, its live events followed. */
async function gateway(models: GatewayConfig['models']): Promise<Gateway> {
  const proxy: RunningProxy = await startProxy({
    config: gatewayConfig(models),
    supervisor: new FakeSupervisor(),
    logger: new RecordingLogger(),
    shutdownGraceMs: 2_000,
    wallClock: () => WALL,
    resolveSecret: () => Promise.reject(new Error('no secrets in this test')),
  });
  const events = open(proxy.url, '/v1/gateway/events', { method: 'GET' });
  cleanups.push(async () => {
    events.req.destroy();
    await proxy.close();
  });
  const reader = new SseReader(await events.response);
  const records: AuditRecord[] = [];
  // Records are published only while somebody follows the events: the stream is open now.
  reader.res.on('data', () => {
    records.length = 0;
    for (const data of reader.events) {
      const event = JSON.parse(data) as { type: string; record?: AuditRecord };
      if (event.type === 'request.ended' && event.record) records.push(event.record);
    }
  });
  return { url: proxy.url, records };
}

async function recordOf(g: Gateway, res: BufferedResponse): Promise<AuditRecord> {
  const id = res.headers['x-request-id'];
  await waitUntil(() => g.records.some((r) => r.requestId === id));
  return g.records.find((r) => r.requestId === id)!;
}

const chat = (max_tokens = 10) => ({
  model: 'primary',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens,
});

const openai = (url: string, body: object = chat()) => send(url, '/v1/chat/completions', { body });

const anthropic = (url: string) =>
  send(url, '/v1/messages', {
    body: { model: 'primary', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
  });

describe('model limits of a fallback', () => {
  it('counts the fallback: served twice at rpm 2, then 429 in the OpenAI and Anthropic formats', async () => {
    const primary = await upstream(failing);
    const backup = await upstream(completion);
    const g = await gateway([
      model('primary', primary, ['backup']),
      model('backup', backup, [], { rpm: 2 }),
    ]);
    const first = await openai(g.url);
    expect(first.status).toBe(200);
    expect(first.headers['x-mlx-gateway-target']).toBe('backup');
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    expect(first.headers['x-ratelimit-reset-requests']).toBe('55s');
    const second = await openai(g.url);
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-requests']).toBe('0');

    const over = await openai(g.url);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('55');
    expect(over.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(over.headers['x-mlx-gateway-target']).toBeUndefined();
    const error = over.json['error'] as { message: string; code: string };
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain('1. primary: ');
    expect(error.message).toContain(
      '2. backup: rate limit reached for model "backup": 2 requests per minute',
    );

    const claude = await anthropic(g.url);
    expect(claude.status).toBe(429);
    expect(claude.json['type']).toBe('error');
    expect((claude.json['error'] as { type: string }).type).toBe('rate_limit_error');
    expect(claude.headers['retry-after']).toBe('55');
    expect(claude.headers['anthropic-ratelimit-requests-limit']).toBe('2');
    expect(claude.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(claude.headers['anthropic-ratelimit-requests-reset']).toBe('2026-06-01T08:31:00Z');
    expect(claude.headers['x-ratelimit-limit-requests']).toBeUndefined();

    // The backup got the two it admitted, the primary every request.
    expect(backup.exchanges).toHaveLength(2);
    expect(primary.exchanges).toHaveLength(4);
    expect(await recordOf(g, first)).toMatchObject({
      status: 200,
      resolvedModel: 'backup',
      attempts: [
        { target: 'primary', outcome: 'error', errorCode: 'UPSTREAM_ERROR' },
        { target: 'backup', outcome: 'ok' },
      ],
    });
    expect(await recordOf(g, over)).toMatchObject({
      status: 429,
      errorCode: 'RATE_LIMITED',
      attempts: [
        { target: 'primary', outcome: 'error', errorCode: 'UPSTREAM_ERROR' },
        { target: 'backup', outcome: 'limited', errorCode: 'RATE_LIMITED' },
      ],
    });
    expect((await recordOf(g, claude)).attempts.map((a) => a.outcome)).toEqual([
      'error',
      'limited',
    ]);
  });

  it('goes on to the next target when a fallback is over its limit, without its Retry-After', async () => {
    const primary = await upstream(failing);
    const backup = await upstream(completion);
    const spare = await upstream(completion);
    const g = await gateway([
      model('primary', primary, ['backup', 'spare']),
      model('backup', backup, [], { rpm: 1 }),
      model('spare', spare, []),
    ]);
    expect((await openai(g.url)).headers['x-mlx-gateway-target']).toBe('backup');
    const next = await openai(g.url);
    expect(next.status).toBe(200);
    expect(next.headers['x-mlx-gateway-target']).toBe('spare');
    expect(next.headers['retry-after']).toBeUndefined();
    expect(next.headers['x-ratelimit-remaining-requests']).toBeUndefined();
    expect(backup.exchanges).toHaveLength(1);
    expect((await recordOf(g, next)).attempts).toMatchObject([
      { target: 'primary', outcome: 'error' },
      { target: 'backup', outcome: 'limited', errorCode: 'RATE_LIMITED' },
      { target: 'spare', outcome: 'ok' },
    ]);
  });

  it('gives a failed fallback attempt its concurrency slot back at once, not when the request ends', async () => {
    const primary = await upstream(failing);
    let backupCalls = 0;
    const backup = await upstream((ex) => {
      backupCalls++;
      if (backupCalls === 1) failing(ex);
      else completion(ex);
    });
    // The spare holds the first request's answer until the test lets it go.
    let held: UpstreamExchange | undefined;
    const spare = await upstream((ex) => {
      if (held === undefined) held = ex;
      else completion(ex);
    });
    const g = await gateway([
      model('primary', primary, ['backup', 'spare']),
      model('backup', backup, [], { concurrency: 1 }),
      model('spare', spare, []),
    ]);
    const first = openai(g.url);
    await waitUntil(() => held !== undefined);
    // The first request is still in flight (on the spare): its backup slot is free again.
    const second = await openai(g.url);
    expect(second.status).toBe(200);
    expect(second.headers['x-mlx-gateway-target']).toBe('backup');
    completion(held!);
    const answered = await first;
    expect(answered.headers['x-mlx-gateway-target']).toBe('spare');
    expect((await recordOf(g, answered)).attempts.map((a) => a.outcome)).toEqual([
      'error',
      'error',
      'ok',
    ]);
  });

  it("settles the tokens reserved on the fallback's model from the usage of its answer", async () => {
    const primary = await upstream(failing);
    const backup = await upstream(completion);
    const g = await gateway([
      model('primary', primary, ['backup']),
      model('backup', backup, [], { tpm: 1_000 }),
    ]);
    const body = chat(800);
    // Charged on arrival: max_tokens and the body at 4 bytes a token.
    const reserve = 800 + Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4);
    const first = await openai(g.url, body);
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe(String(1_000 - reserve));
    // Settled to the 30 tokens used when that answer ended: a second one fits.
    const second = await openai(g.url, body);
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe(String(1_000 - 30 - reserve));
  });
  it("leaves the first model's reservation as charged when a fallback's model answered", async () => {
    const primary = await upstream(failing);
    const backup = await upstream(completion);
    const g = await gateway([
      model('primary', primary, ['backup'], { tpm: 2_000 }),
      model('backup', backup, []),
    ]);
    const body = chat(800);
    const reserve = 800 + Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4);
    const first = await openai(g.url, body);
    expect(first.status).toBe(200);
    expect((await recordOf(g, first)).resolvedModel).toBe('backup');
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe(String(2_000 - reserve));
    // Not settled to the 30 tokens the fallback's model used: the primary served none of them,
    // and what its failed attempt cost is not known, so its reservation stays.
    const second = await openai(g.url, body);
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe(String(2_000 - 2 * reserve));
  });
});
