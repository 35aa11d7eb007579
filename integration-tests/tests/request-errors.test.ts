import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { isAlive } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

const KEY = 'sk-fake-errors-0123456789abcdef';
const BODY_LIMIT = 2_000;

const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let url = '';

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: KEY });
  await configureSections(
    gateway,
    `proxy: { bodyLimit: ${BODY_LIMIT} }
providers:
${fakeProvider('cloud', cloud.baseUrl, 'ERRORS_CLOUD_KEY')}
models:
  chat-model: { provider: cloud, upstreamModel: upstream-chat }
`,
  );
  // No supervisor: these requests never reach a local model.
  url = await startProxyWithEnv(gateway, { ERRORS_CLOUD_KEY: KEY });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
});

/** Every error answer has exactly OpenAI's shape. */
function expectOpenAIError(body: unknown, code: string, param: string | null): void {
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: 'invalid_request_error',
      param,
      code,
    },
  });
}

/** A request sent as raw bytes, optionally chunked and never finished. */
function sendRaw(
  path: string,
  body: string,
  options: { chunked?: boolean; method?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = String(Buffer.byteLength(body));
  const req = request(new URL(path, url), {
    method: options.method ?? 'POST',
    headers,
    agent: false,
  });
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    if (options.chunked) req.write(body);
    else req.end(body);
  });
}

async function expectStillServing(): Promise<void> {
  const res = await postJson(`${url}/v1/chat/completions`, {
    model: 'chat-model',
    messages: [{ role: 'user', content: 'still there?' }],
  });
  expect(res.status).toBe(200);
  expect(cloud.requests.at(-1)?.model).toBe('upstream-chat');
}

describe('request errors against the real proxy process', () => {
  it('answers a body over the limit with 413 (declared length) and keeps serving', async () => {
    const res = await sendRaw(
      '/v1/chat/completions',
      JSON.stringify({ model: 'chat-model', messages: [], padding: 'x'.repeat(BODY_LIMIT) }),
    );
    expect(res.status).toBe(413);
    expectOpenAIError(JSON.parse(res.body), 'body_too_large', null);
    await expectStillServing();
  });

  it('answers a chunked body with 413 once it crosses the limit, without waiting for its end', async () => {
    const res = await sendRaw(
      '/v1/chat/completions',
      `{"model":"chat-model","messages":[],"padding":"${'x'.repeat(BODY_LIMIT)}`,
      { chunked: true },
    );
    expect(res.status).toBe(413);
    expectOpenAIError(JSON.parse(res.body), 'body_too_large', null);
    await expectStillServing();
  });

  it.each([
    ['{"model": "chat-model", "messages": [', 'invalid_json'],
    ['', 'invalid_json'],
    ['not json at all', 'invalid_json'],
  ])('answers malformed JSON %j with 400 %s', async (body, code) => {
    const res = await sendRaw('/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expectOpenAIError(JSON.parse(res.body), code, null);
  });

  it.each<[string, object, string, string | null]>([
    ['an array body', [1, 2], 'invalid_request', null],
    [
      'messages of the wrong type',
      { model: 'chat-model', messages: 'hi' },
      'invalid_request',
      'messages',
    ],
    [
      'a message that is not an object',
      { model: 'chat-model', messages: ['hi'] },
      'invalid_request',
      'messages[0]',
    ],
    [
      'stream of the wrong type',
      { model: 'chat-model', messages: [], stream: 'yes' },
      'invalid_request',
      'stream',
    ],
    [
      'temperature of the wrong type',
      { model: 'chat-model', messages: [], temperature: 'hot' },
      'invalid_request',
      'temperature',
    ],
    ['a model that is not a string', { model: 42, messages: [] }, 'invalid_request', 'model'],
    ['no model', { messages: [] }, 'missing_model', 'model'],
    ['an empty model', { model: '', messages: [] }, 'missing_model', 'model'],
  ])('answers %s with 400 %s', async (_what, body, code, param) => {
    const res = await postJson(`${url}/v1/chat/completions`, body);
    expect(res.status).toBe(400);
    expectOpenAIError(res.body, code, param);
  });

  it('checks the fields of the completions and embeddings endpoints too', async () => {
    const completions = await postJson(`${url}/v1/completions`, { model: 'chat-model', prompt: 7 });
    expect(completions.status).toBe(400);
    expectOpenAIError(completions.body, 'invalid_request', 'prompt');
    const embeddings = await postJson(`${url}/v1/embeddings`, { model: 'chat-model', input: {} });
    expect(embeddings.status).toBe(400);
    expectOpenAIError(embeddings.body, 'invalid_request', 'input');
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    const unknown = await sendRaw('/v1/nope', '{}');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error).toMatchObject({
      code: 'not_found',
      type: 'not_found_error',
    });
    const wrong = await sendRaw('/v1/chat/completions', '', { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('POST');
    expect(JSON.parse(wrong.body).error).toMatchObject({ code: 'method_not_allowed' });
  });

  it('sent nothing upstream for any refused request, and the process still runs and serves', async () => {
    const before = cloud.requests.length;
    await postJson(`${url}/v1/chat/completions`, { model: 'chat-model', messages: 'x' });
    expect(cloud.requests.length).toBe(before);
    expect(isAlive(gateway.proxy!.pid)).toBe(true);
    await expectStillServing();
  });
});
