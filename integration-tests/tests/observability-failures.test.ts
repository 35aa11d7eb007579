import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson, postStream } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

const KEY = 'sk-fake-cloud-b-0123456789abcdef';
const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let url = '';

type Rec = Record<string, unknown> & { requestId: string };

function auditRecords(): Rec[] {
  const dir = join(gateway.home, 'audit');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Rec),
    );
}

/** The record of a request id, once the writer (flushing every half second) has written it. */
async function recordOf(id: string, deadlineMs = 10_000): Promise<Rec> {
  return waitUntil(
    () => auditRecords().find((r) => r.requestId === id),
    `the audit record of ${id}`,
    deadlineMs,
  );
}

async function scrape(): Promise<string> {
  const res = await request(`${url}/metrics`);
  expect(res.statusCode).toBe(200);
  return res.body.text();
}

function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello gateway world' }],
  max_tokens: 5,
  ...extra,
});

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: KEY });
  await configureSections(
    gateway,
    `providers:
${fakeProvider('b', cloud.baseUrl, 'CLOUD_B_KEY')}
models:
${standinModel('broken', { MLX_STANDIN_FAIL: 'crash-during-load', MLX_STANDIN_LOAD_MS: 50 }, '    fallbacks: [cloud-b]\n')}
${standinModel('breaks-midway', { MLX_STANDIN_STREAM: 'break-after:2', MLX_STANDIN_LOAD_MS: 50 })}
${standinModel('slow', { MLX_STANDIN_TOKEN_MS: 100, MLX_STANDIN_TOKENS: 100, MLX_STANDIN_LOAD_MS: 50 })}
  cloud-b: { provider: b, upstreamModel: b-model }
`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, { CLOUD_B_KEY: KEY });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
});

describe('audit records and metrics of requests that go wrong', () => {
  it('a fallback: every attempt with its outcome, and the move counted', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('broken'));
    expect(res.status).toBe(200);
    const record = await recordOf(res.headers['x-request-id'] as string);
    expect(record).toMatchObject({
      model: 'broken',
      resolvedModel: 'cloud-b',
      status: 200,
      complete: true,
      coldStart: true,
      attempts: [
        { target: 'broken', backend: 'local', outcome: 'error', errorCode: 'MODEL_START_FAILED' },
        { target: 'cloud-b', outcome: 'ok' },
      ],
    });
    const text = await scrape();
    expect(metricValue(text, 'mlx_gateway_fallbacks_total{from="broken",to="cloud-b"}')).toBe(1);
    expect(
      metricValue(
        text,
        'mlx_gateway_upstream_errors_total{backend="local",code="MODEL_START_FAILED"}',
      ),
    ).toBe(1);
  });

  it('an upstream that breaks mid-stream: incomplete, upstream_failed, counted', async () => {
    const res = await postStream(
      `${url}/v1/chat/completions`,
      chat('breaks-midway', { stream: true }),
    );
    expect(res.status).toBe(200);
    const record = await recordOf(res.headers['x-request-id'] as string);
    expect(record).toMatchObject({
      model: 'breaks-midway',
      stream: true,
      status: 200,
      complete: false,
      incomplete: 'upstream_failed',
    });
    expect(typeof record.errorCode).toBe('string');
    const text = await scrape();
    expect(
      metricValue(
        text,
        'mlx_gateway_incomplete_streams_total{model="breaks-midway",reason="upstream_failed"}',
      ),
    ).toBe(1);
  });

  it('a client that leaves mid-stream: incomplete, client_closed, counted', async () => {
    const controller = new AbortController();
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat('slow', { stream: true })),
      signal: controller.signal,
    });
    expect(res.statusCode).toBe(200);
    const id = res.headers['x-request-id'] as string;
    // Leave once the first content has arrived.
    for await (const chunk of res.body) {
      if ((chunk as Buffer).toString('utf8').includes('"content"')) break;
    }
    controller.abort();
    const record = await recordOf(id);
    expect(record).toMatchObject({
      model: 'slow',
      complete: false,
      incomplete: 'client_closed',
    });
    const text = await scrape();
    expect(metricValue(text, 'mlx_gateway_client_disconnects_total{api="openai.chat"}')).toBe(1);
  });
});
