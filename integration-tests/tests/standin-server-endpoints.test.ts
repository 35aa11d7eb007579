// The stand-in's service endpoints, legacy completions and embeddings, run in-process.
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../standin/embeddings.js';
import {
  MODEL,
  access,
  post,
  readSse,
  server,
  start,
  userSays,
  useInProcessStandin,
} from '../support/in-process-standin.js';

useInProcessStandin();

describe('stand-in server: service endpoints', () => {
  it('answers /health and /v1/models with the model id', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      model_id: MODEL,
      model_status: 'initialized',
    });
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      object: string;
      data: { id: string; object: string }[];
    };
    expect(models.object).toBe('list');
    expect(models.data.map((model) => [model.id, model.object])).toEqual([[MODEL, 'model']]);
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    const missing = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Not Found' });
    const wrong = await fetch(`${server.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
  });

  it('refuses malformed JSON and invalid requests with an OpenAI-style 400', async () => {
    const malformed = await post('/v1/chat/completions', '{"messages": [');
    expect(malformed.status).toBe(400);
    const body = (await malformed.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: '400', param: null });
    expect(body.error['message']).toMatch(/Invalid JSON/);

    const noMessages = await post('/v1/chat/completions', { model: 'm', messages: [] });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as { error: { param: string } }).error.param).toBe(
      'messages',
    );

    const badHeader = await post('/v1/chat/completions', userSays('hi'), {
      'x-standin-tokens': 'x',
    });
    expect(badHeader.status).toBe(400);
    expect(JSON.stringify(await badHeader.json())).toContain('x-standin-tokens');
  });

  it('logs one uvicorn-style access line per request and never a request header', async () => {
    await post('/v1/chat/completions', userSays('hi'), { authorization: 'Bearer sk-very-secret' });
    await fetch(`${server.url}/nope`);
    expect(access).toHaveLength(2);
    expect(access[0]).toMatch(
      /^INFO: {5}127\.0\.0\.1:\d+ - "POST \/v1\/chat\/completions HTTP\/1\.1" 200 OK$/,
    );
    expect(access[1]).toMatch(/"GET \/nope HTTP\/1\.1" 404 Not Found$/);
    expect(access.join('\n')).not.toContain('sk-very-secret');
  });
});

describe('stand-in server: completions and embeddings', () => {
  it('answers a legacy completion, streamed with a separate usage chunk when asked', async () => {
    const plain = await post('/v1/completions', { prompt: 'say it back', max_tokens: 2 });
    expect(await plain.json()).toMatchObject({
      object: 'text_completion',
      choices: [{ index: 0, text: 'say it', finish_reason: 'length' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    const streamed = await post(
      '/v1/completions',
      { prompt: 'say it back', stream: true, stream_options: { include_usage: true } },
      { 'x-standin-tokens': '3' },
    );
    const { data } = await readSse(streamed);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map(
      (item) =>
        JSON.parse(item) as {
          choices: { text: string; finish_reason: string | null }[];
          usage?: { completion_tokens: number };
        },
    );
    expect(chunks.slice(0, 3).map((chunk) => chunk.choices[0]?.text)).toEqual([
      'say',
      ' it',
      ' back',
    ]);
    expect(chunks[3]?.choices[0]).toMatchObject({ text: '', finish_reason: 'stop' });
    expect(chunks[4]).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    const noUsage = await post(
      '/v1/completions',
      { prompt: 'a', stream: true },
      { 'x-standin-tokens': '1' },
    );
    expect(JSON.stringify((await readSse(noUsage)).data)).not.toContain('usage');
  });

  it('returns deterministic embeddings for string and array input, floats or base64', async () => {
    const embeddings = await start({ modelType: 'embeddings' });
    const one = await post(
      '/v1/embeddings',
      { model: 'e', input: 'alpha' },
      {},
      undefined,
      embeddings,
    );
    const oneBody = (await one.json()) as {
      object: string;
      data: { index: number; embedding: number[] }[];
    };
    expect(oneBody.object).toBe('list');
    expect(oneBody.data).toHaveLength(1);
    expect(oneBody.data[0]?.embedding).toHaveLength(16);

    const many = await post(
      '/v1/embeddings',
      { input: ['alpha', 'beta'] },
      {},
      undefined,
      embeddings,
    );
    const manyBody = (await many.json()) as { data: { index: number; embedding: number[] }[] };
    expect(manyBody.data.map((item) => item.index)).toEqual([0, 1]);
    expect(manyBody.data[0]?.embedding).toEqual(oneBody.data[0]?.embedding);
    expect(manyBody.data[1]?.embedding).not.toEqual(oneBody.data[0]?.embedding);

    const encoded = await post(
      '/v1/embeddings',
      { input: 'alpha', encoding_format: 'base64' },
      {},
      undefined,
      embeddings,
    );
    const encodedBody = (await encoded.json()) as { data: { embedding: string }[] };
    expect(fromBase64(encodedBody.data[0]?.embedding ?? '')).toEqual(oneBody.data[0]?.embedding);
  });

  it('refuses embeddings on a text model like the real server', async () => {
    const res = await post('/v1/embeddings', { input: 'alpha' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'unsupported_request',
    );
  });
});
