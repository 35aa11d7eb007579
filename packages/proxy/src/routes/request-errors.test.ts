import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../testing/proxy-client.js';
import { chatOnly, localModel, remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';

const BODY_LIMIT = 4096;
let t: TestProxy;

beforeAll(async () => {
  t = await startTestProxy({
    models: [
      localModel('qwen-7b', { aliases: ['qwen'] }),
      localModel('chatty', { capabilities: chatOnly }),
      remoteModel('claude', 'https://api.anthropic.com/v1', { backend: 'anthropic' }),
    ],
    proxy: { bodyLimitBytes: BODY_LIMIT },
  });
});
afterAll(() => t.close());

/** After every error the proxy must still answer normally. */
async function expectStillServing(): Promise<void> {
  const res = await send(t.url, '/v1/models', { method: 'GET' });
  expect(res.status).toBe(200);
}

function errorBody(code: string, type: string, param: string | null, message: unknown) {
  return { error: { message, type, param, code } };
}

describe('request errors: OpenAI-format bodies with the right status', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await send(t.url, '/v1/chat/completions', { body: '{"model": "qwen",' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toEqual(
      errorBody(
        'invalid_json',
        'invalid_request_error',
        null,
        expect.stringMatching(/not valid JSON/),
      ),
    );
    await expectStillServing();
  });

  it('answers an empty body with 400 invalid_json', async () => {
    const res = await send(t.url, '/v1/chat/completions', { body: '' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(
      errorBody('invalid_json', 'invalid_request_error', null, expect.stringMatching(/empty/)),
    );
  });

  it('answers a body that is not an object with 400 invalid_request', async () => {
    const res = await send(t.url, '/v1/chat/completions', { body: [1, 2] });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(
      errorBody(
        'invalid_request',
        'invalid_request_error',
        null,
        'request body must be a JSON object, got an array',
      ),
    );
    await expectStillServing();
  });

  it.each([
    [{ model: 'qwen', messages: 'hi' }, 'messages', "'messages' must be an array, got a string"],
    [
      { model: 'qwen', messages: [], stream: 'yes' },
      'stream',
      "'stream' must be a boolean, got a string",
    ],
    [
      { model: 'qwen', messages: [], tools: {} },
      'tools',
      "'tools' must be an array, got an object",
    ],
    [
      { model: 'qwen', messages: [], temperature: '0.2' },
      'temperature',
      "'temperature' must be a number, got a string",
    ],
    [
      { model: 'qwen', messages: ['hi'] },
      'messages[0]',
      "'messages[0]' must be an object, got a string",
    ],
    [{ model: 42, messages: [] }, 'model', "'model' must be a string, got a number"],
  ])(
    'answers wrong types (%j) with 400 invalid_request naming the param',
    async (body, param, message) => {
      const res = await send(t.url, '/v1/chat/completions', { body });
      expect(res.status).toBe(400);
      expect(res.json).toEqual(
        errorBody('invalid_request', 'invalid_request_error', param, message),
      );
      await expectStillServing();
    },
  );

  it('checks the fields of each endpoint', async () => {
    const completions = await send(t.url, '/v1/completions', {
      body: { model: 'qwen', prompt: 5 },
    });
    expect(completions.json).toMatchObject({ error: { code: 'invalid_request', param: 'prompt' } });
    const embeddings = await send(t.url, '/v1/embeddings', { body: { model: 'qwen' } });
    expect(embeddings.json).toMatchObject({ error: { code: 'invalid_request', param: 'input' } });
  });

  it('answers a missing model with 400 missing_model', async () => {
    const res = await send(t.url, '/v1/chat/completions', { body: { messages: [] } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(
      errorBody(
        'missing_model',
        'invalid_request_error',
        'model',
        expect.stringContaining('GET /v1/models'),
      ),
    );
    await expectStillServing();
  });

  it('answers an unknown model with 404 naming the closest configured names', async () => {
    const res = await send(t.url, '/v1/chat/completions', {
      body: { model: 'qwen-7', messages: [] },
    });
    expect(res.status).toBe(404);
    expect(res.json).toEqual(
      errorBody(
        'model_not_found',
        'not_found_error',
        'model',
        "model 'qwen-7' is not configured; did you mean 'qwen-7b', 'qwen'? (see GET /v1/models)",
      ),
    );
    await expectStillServing();
  });

  it('answers a body over the limit with 413 before reading it (declared length)', async () => {
    const res = await send(t.url, '/v1/chat/completions', {
      body: { model: 'qwen', messages: [], padding: 'x'.repeat(BODY_LIMIT) },
    });
    expect(res.status).toBe(413);
    expect(res.json).toEqual(
      errorBody(
        'body_too_large',
        'invalid_request_error',
        null,
        expect.stringContaining(`${BODY_LIMIT} bytes`),
      ),
    );
    await expectStillServing();
  });

  it('answers a chunked body with 413 as soon as it crosses the limit, without waiting for the rest', async () => {
    const url = new URL('/v1/chat/completions', t.url);
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    // More than the limit, and the request is never ended: only enforcement while reading
    // can produce an answer.
    req.write(`{"model":"qwen","messages":[],"padding":"${'x'.repeat(BODY_LIMIT)}`);
    const { status, body } = await response;
    req.destroy();
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'body_too_large' } });
    await expectStillServing();
  });

  it('answers an unknown route with 404 not_found', async () => {
    const res = await send(t.url, '/v1/nope', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual(
      errorBody(
        'not_found',
        'not_found_error',
        null,
        'no route for GET /v1/nope; the gateway serves POST /v1/chat/completions; ' +
          'POST /v1/completions; POST /v1/embeddings; POST /v1/responses; POST /v1/messages; ' +
          'POST /v1/messages/count_tokens; GET /v1/models; GET /v1/gateway/models; GET /health; ' +
          'GET /v1/models/{id}; GET /metrics; GET /v1/gateway/events; GET /v1/gateway/limits; ' +
          'GET, DELETE /v1/responses/{id}',
      ),
    );
    await expectStillServing();
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const get = await send(t.url, '/v1/chat/completions', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect(get.json).toEqual(
      errorBody(
        'method_not_allowed',
        'invalid_request_error',
        null,
        'GET is not allowed on /v1/chat/completions; use POST',
      ),
    );
    const post = await send(t.url, '/v1/models', { body: {} });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET');
    await expectStillServing();
  });

  it('gives every answer an x-request-id, keeping a sane one sent by the client', async () => {
    const own = await send(t.url, '/v1/nope', {
      method: 'GET',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(own.headers['x-request-id']).toBe('abc-123');
    const fresh = await send(t.url, '/v1/nope', {
      method: 'GET',
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // A token of the accepted characters but shaped like a key: the log writes request ids
    // unscrubbed, so such an id is replaced rather than echoed and logged.
    const keyLike = await send(t.url, '/v1/nope', {
      method: 'GET',
      headers: { 'x-request-id': 'sk-proj-0123456789abcdefghijKLMN' },
    });
    expect(keyLike.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('capabilities', () => {
  it('refuses embeddings on a chat-only model with 400 unsupported_feature', async () => {
    const res = await send(t.url, '/v1/embeddings', { body: { model: 'chatty', input: 'hi' } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual(
      errorBody(
        'unsupported_feature',
        'invalid_request_error',
        'model',
        expect.stringMatching(/^model 'chatty' does not support embeddings/),
      ),
    );
  });

  it('refuses tools on a model without tools', async () => {
    const res = await send(t.url, '/v1/chat/completions', {
      body: {
        model: 'chatty',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: 'unsupported_feature',
        param: 'tools',
        message:
          "model 'chatty' does not support tools (capability 'tools', backend mlx-openai-server); " +
          'choose a model that does (see GET /v1/gateway/models), or, if it does, declare it in ' +
          'the config: `capabilities: { tools: true }` in models.chatty',
      },
    });
  });

  it('refuses image parts on a model without vision', async () => {
    const res = await send(t.url, '/v1/chat/completions', {
      body: {
        model: 'chatty',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: 'unsupported_feature',
        param: 'messages',
        message: expect.stringContaining('image inputs (vision)'),
      },
    });
  });

  it('refuses an operation the Anthropic API lacks, naming the model and the backend', async () => {
    const res = await send(t.url, '/v1/embeddings', { body: { model: 'claude', input: 'hi' } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: {
        code: 'unsupported_feature',
        message: expect.stringMatching(/'claude'.*backend anthropic/),
      },
    });
    await expectStillServing();
  });
});
