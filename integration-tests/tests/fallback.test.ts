import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson, postStream } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

const KEY_A = 'sk-fake-cloud-a-0123456789abcdef';
const KEY_B = 'sk-fake-cloud-b-0123456789abcdef';

const gateway = new TestGateway();
let cloudA: FakeOpenAICloud;
let cloudB: FakeOpenAICloud;
let url = '';

beforeAll(async () => {
  cloudA = await FakeOpenAICloud.start({ apiKey: KEY_A });
  cloudB = await FakeOpenAICloud.start({ apiKey: KEY_B });
  await configureSections(
    gateway,
    `providers:
${fakeProvider('a', cloudA.baseUrl, 'CLOUD_A_KEY')}${fakeProvider('b', cloudB.baseUrl, 'CLOUD_B_KEY')}
routing:
  rules:
    - { match: "^any-", provider: a, fallbacks: ["b/backup-model"] }
models:
${standinModel('broken', { MLX_STANDIN_FAIL: 'crash-during-load', MLX_STANDIN_LOAD_MS: 50 }, '    fallbacks: [cloud-b]\n')}
${standinModel('breaks-midway', { MLX_STANDIN_STREAM: 'break-after:2', MLX_STANDIN_LOAD_MS: 50 }, '    fallbacks: [cloud-b]\n')}
  cloud-a:
    provider: a
    upstreamModel: a-model
    fallbacks: [cloud-b]
    timeouts: { firstByte: 500ms, idle: 500ms }
  cloud-b: { provider: b, upstreamModel: b-model }
`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, { CLOUD_A_KEY: KEY_A, CLOUD_B_KEY: KEY_B });
});

afterAll(async () => {
  await gateway.stop();
  await cloudA?.close();
  await cloudB?.close();
});

beforeEach(() => {
  cloudA.reset();
  cloudB.reset();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'please answer' }],
  ...extra,
});

function streamedText(events: string[]): string {
  return events
    .filter((e) => e !== '[DONE]')
    .map(
      (e) =>
        (JSON.parse(e) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta
          ?.content ?? '',
    )
    .join('');
}

describe('fallback: a local model that cannot start', () => {
  it('answers from the cloud fallback when the local model crashes while loading', async () => {
    const res = await postJson(`${url}/v1/chat/completions`, chat('broken'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.choices[0].message.content).toBe('Hello from the fake cloud, model b-model');
    expect(res.headers['x-mlx-gateway-target']).toBe('cloud-b');
    expect(cloudB.requests.map((r) => r.model)).toEqual(['b-model']);
    expect(cloudB.requests[0]?.authorized).toBe(true);
  });

  it('streams from the cloud fallback too', async () => {
    const stream = await postStream(`${url}/v1/chat/completions`, chat('broken', { stream: true }));
    expect(stream.status).toBe(200);
    expect(stream.events.at(-1)).toBe('[DONE]');
    expect(streamedText(stream.events)).toBe('Hello from the fake cloud, model b-model');
    expect(cloudB.requests.map((r) => [r.model, r.stream])).toEqual([['b-model', true]]);
  });
});

describe('fallback: a cloud upstream that fails before answering', () => {
  it.each([500, 503, 429])('moves on to the next target after HTTP %i', async (status) => {
    cloudA.failNext({ status });
    const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-a'));
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toContain('model b-model');
    expect(cloudA.requests.map((r) => r.model)).toEqual(['a-model']);
    expect(cloudB.requests.map((r) => r.model)).toEqual(['b-model']);
  });

  it('follows the fallbacks of a regex rule, given as a prefixed name', async () => {
    cloudA.failNext({ status: 503 });
    const stream = await postStream(
      `${url}/v1/chat/completions`,
      chat('any-model', { stream: true }),
    );
    expect(stream.status).toBe(200);
    expect(streamedText(stream.events)).toBe('Hello from the fake cloud, model backup-model');
    expect(cloudA.requests.map((r) => r.model)).toEqual(['any-model']);
    expect(cloudB.requests.map((r) => r.model)).toEqual(['backup-model']);
  });

  it('moves on when the first byte does not come in time, and the slow upstream sees the abort', async () => {
    const release = cloudA.hold();
    try {
      const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-a'));
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toContain('model b-model');
      await cloudA.waitForAborts(1);
    } finally {
      release();
    }
  });

  it('answers a 4xx at once, without trying the fallback, and scrubs the key an upstream echoed', async () => {
    cloudA.failNext({ status: 400, message: 'bad parameter', echoKey: true });
    const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-a'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('upstream_error');
    expect(res.body.error.message).toContain('bad parameter');
    expect(JSON.stringify(res.body)).not.toContain(KEY_A);
    expect(cloudB.requests).toHaveLength(0);
  });

  it('gives the client every attempt and its reason when every target failed', async () => {
    cloudA.failNext({ status: 500 });
    cloudB.failNext({ status: 503, message: 'overloaded' });
    const res = await postJson(`${url}/v1/chat/completions`, chat('cloud-a'));
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'upstream_error', type: 'server_error' });
    expect(res.body.error.message).toMatch(
      /^every target of the fallback chain failed: 1\. cloud-a: model 'cloud-a' failed upstream \(HTTP 500\)[^;]*; 2\. cloud-b: model 'cloud-b' failed upstream \(HTTP 503\): overloaded$/,
    );
    expect(res.headers['x-mlx-gateway-target']).toBeUndefined();
  });
});

describe('fallback: never once content has reached the client', () => {
  it('ends a local stream that breaks midway with an error event and [DONE], without retrying', async () => {
    const stream = await postStream(
      `${url}/v1/chat/completions`,
      chat('breaks-midway', { stream: true }),
    );
    expect(stream.status).toBe(200);
    expect(streamedText(stream.events.slice(0, -2)).length).toBeGreaterThan(0);
    expect(JSON.parse(stream.events.at(-2)!)).toMatchObject({
      error: { code: 'stream_interrupted', type: 'server_error' },
    });
    expect(stream.events.at(-1)).toBe('[DONE]');
    expect(cloudB.requests).toHaveLength(0);
  });

  it('ends a cloud stream that stalls midway with a timeout event and [DONE], without retrying', async () => {
    cloudA.set({ stallAfterChunks: 2 });
    const stream = await postStream(
      `${url}/v1/chat/completions`,
      chat('cloud-a', { stream: true }),
    );
    expect(stream.status).toBe(200);
    expect(streamedText(stream.events.slice(0, -2))).toBe('Hello from');
    const error = JSON.parse(stream.events.at(-2)!);
    expect(error).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(error.error.message).toContain("model 'cloud-a' went silent for 500 ms");
    expect(stream.events.at(-1)).toBe('[DONE]');
    expect(cloudB.requests).toHaveLength(0);
    await cloudA.waitForAborts(1);
  });
});
