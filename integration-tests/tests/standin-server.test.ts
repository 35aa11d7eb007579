// The stand-in's HTTP surface, run in-process: the OpenAI shapes the gateway relies on, tool calls,
// reasoning, stream misbehaviour, and cancellation of abandoned requests.
import { once } from 'node:events';
import { createParser } from 'eventsource-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64 } from '../standin/embeddings.js';
import {
  createStandinServer,
  type StandinServer,
  type StandinServerOptions,
} from '../standin/server.js';
import type { SettledEvent } from '../standin/stats.js';

const MODEL = 'mlx-community/test-model';

interface Chunk {
  id: string;
  object: string;
  model: string;
  /** Absent on the in-band error chunk of error-after:N. */
  choices: {
    index: number;
    delta: {
      role: string | null;
      content: string | null;
      reasoning_content: string | null;
      tool_calls:
        | {
            index: number;
            id?: string;
            type?: string;
            function: { name?: string; arguments: string };
          }[]
        | null;
    };
    finish_reason: string | null;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  error?: { message: string; type: string; code: string };
}

const servers: StandinServer[] = [];
let server: StandinServer;
let access: string[];

async function start(options: Partial<StandinServerOptions> = {}): Promise<StandinServer> {
  const created = createStandinServer({
    modelId: MODEL,
    accessLog: (line) => access.push(line),
    ...options,
  });
  servers.push(created);
  await created.listen(0, '127.0.0.1');
  return created;
}

beforeEach(async () => {
  access = [];
  server = await start();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
  target = server,
): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

interface SseRead {
  /** The data field of every event, in order ('[DONE]' included). */
  data: string[];
  /** True when the body ended normally. */
  ended: boolean;
  /** The read error when the connection broke. */
  error?: unknown;
}

/** Reads SSE events until the body ends, breaks, or `stop` returns true. */
async function readSse(res: Response, stop?: (data: string[]) => boolean): Promise<SseRead> {
  const data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      if (stop?.(data)) return { data, ended: false };
      const { done, value } = await reader.read();
      if (done) return { data, ended: true };
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    return { data, ended: false, error };
  }
}

const chunksOf = (data: string[]): Chunk[] =>
  data.filter((item) => item !== '[DONE]').map((item) => JSON.parse(item) as Chunk);

const contentOf = (chunks: Chunk[]): string[] =>
  chunks
    .flatMap((chunk) => (chunk.choices ?? []).map((choice) => choice.delta.content ?? ''))
    .filter((c) => c !== '');

const userSays = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'client-model',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: text },
  ],
  ...extra,
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    },
  },
};
const timeTool = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  },
};

/** Resolves with the next `count` 'settled' events of `target`. */
function nextSettled(count = 1, target = server): Promise<SettledEvent[]> {
  return new Promise((resolve) => {
    const seen: SettledEvent[] = [];
    const listener = (event: SettledEvent): void => {
      seen.push(event);
      if (seen.length < count) return;
      target.events.off('settled', listener);
      resolve(seen);
    };
    target.events.on('settled', listener);
  });
}

async function stats(): Promise<Record<string, number>> {
  const res = await fetch(`${server.url}/v1/standin/stats`);
  return (await res.json()) as Record<string, number>;
}

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

describe('stand-in server: chat completions', () => {
  it('answers a non-streamed chat with the echoed words, usage and the real null fields', async () => {
    const res = await post('/v1/chat/completions', userSays('hello brave new world'), {
      'x-standin-tokens': '6',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'client-model',
      usage: { prompt_tokens: 6, completion_tokens: 6, total_tokens: 12 },
    });
    expect(body['id']).toMatch(/^chatcmpl_\d+$/);
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'hello brave new world hello brave',
        reasoning_content: null,
        refusal: null,
        tool_calls: null,
        tool_call_id: null,
      },
      finish_reason: 'stop',
    });
  });

  it('streams a role chunk, one token per chunk, a final chunk with usage, then [DONE]', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('one two three', { stream: true, stream_options: { include_usage: true } }),
      { 'x-standin-tokens': '5' },
    );
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data, ended } = await readSse(res);
    expect(ended).toBe(true);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: null,
      tool_calls: null,
    });
    const tokens = chunks.slice(1, -1).map((chunk) => chunk.choices[0]?.delta.content);
    expect(tokens).toEqual(['one', ' two', ' three', ' one', ' two']);
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(
      true,
    );
  });

  it('caps the tokens at max_tokens and finishes with "length"', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('a b c d e', { stream: true, max_tokens: 2 }),
    );
    const chunks = chunksOf((await readSse(res)).data);
    expect(contentOf(chunks)).toEqual(['a', ' b']);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  it('uses --max-tokens as the cap when the request sets none', async () => {
    const capped = await start({ defaultMaxTokens: 3 });
    const res = await post('/v1/chat/completions', userSays('x y z w v'), {}, undefined, capped);
    const body = (await res.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({
      message: { content: 'x y z' },
      finish_reason: 'length',
    });
  });

  it('streams reasoning_content deltas before the content when reasoning is on', async () => {
    const res = await post('/v1/chat/completions', userSays('hi there', { stream: true }), {
      'x-standin-reasoning': '1',
      'x-standin-tokens': '2',
    });
    const chunks = chunksOf((await readSse(res)).data);
    const kinds = chunks
      .slice(1, -1)
      .map((chunk) =>
        chunk.choices[0]?.delta.reasoning_content !== null ? 'reasoning' : 'content',
      );
    expect(kinds).toEqual([
      'reasoning',
      'reasoning',
      'reasoning',
      'reasoning',
      'reasoning',
      'content',
      'content',
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content ?? '').join('')).toBe(
      'Let me think about this.',
    );
    const plain = await post('/v1/chat/completions', userSays('hi there'), {
      'x-standin-reasoning': '1',
      'x-standin-tokens': '2',
    });
    const message = ((await plain.json()) as { choices: { message: Record<string, unknown> }[] })
      .choices[0]?.message;
    expect(message).toMatchObject({
      reasoning_content: 'Let me think about this.',
      content: 'hi there',
    });
  });

  it('refuses chat on an embeddings model like the real server', async () => {
    const embeddings = await start({ modelType: 'embeddings' });
    const res = await post('/v1/chat/completions', userSays('hi'), {}, undefined, embeddings);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'unsupported_request',
    );
  });
});

describe('stand-in server: tool calls', () => {
  it('calls the first tool with schema-built arguments (non-streamed)', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('weather?', { tools: [weatherTool, timeTool] }),
    );
    const body = (await res.json()) as {
      choices: {
        message: {
          content: null;
          tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[];
        };
        finish_reason: string;
      }[];
    };
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toHaveLength(1);
    const call = choice?.message.tool_calls[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call?.id).toMatch(/^call_\d+$/);
    expect(JSON.parse(call?.function.arguments ?? '')).toEqual({ city: 'example', days: 1 });
  });

  it('streams a tool call as OpenAI does: id/type/name first, then arguments in pieces', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('weather?', { stream: true, tools: [weatherTool] }),
    );
    const { data } = await readSse(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    const [first, ...rest] = calls;
    expect(first).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(first?.id).toMatch(/^call_/);
    expect(rest.length).toBeGreaterThan(1);
    for (const piece of rest) {
      expect(Object.keys(piece).sort()).toEqual(['function', 'index']);
      expect(Object.keys(piece.function)).toEqual(['arguments']);
    }
    expect(JSON.parse(rest.map((piece) => piece.function.arguments).join(''))).toEqual({
      city: 'example',
      days: 1,
    });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('calls the first two tools with indexes 0 and 1 in parallel mode', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('both', { stream: true, tools: [weatherTool, timeTool] }),
      { 'x-standin-parallel-tools': '1' },
    );
    const calls = chunksOf((await readSse(res)).data).flatMap(
      (chunk) => chunk.choices[0]?.delta.tool_calls ?? [],
    );
    const starts = calls.filter((call) => call.id !== undefined);
    expect(starts.map((call) => [call.index, call.function.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(starts[0]?.id).not.toBe(starts[1]?.id);
    const args = (index: number) =>
      JSON.parse(
        calls
          .filter((call) => call.index === index)
          .map((call) => call.function.arguments)
          .join(''),
      ) as unknown;
    expect(args(0)).toEqual({ city: 'example', days: 1 });
    expect(args(1)).toEqual({ zone: 'example' });
  });

  it('calls the tool named by tool_choice and refuses a name not in tools', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('time?', {
        tools: [weatherTool, timeTool],
        tool_choice: { type: 'function', function: { name: 'get_time' } },
      }),
    );
    const body = (await res.json()) as {
      choices: { message: { tool_calls: { function: { name: string } }[] } }[];
    };
    expect(body.choices[0]?.message.tool_calls.map((call) => call.function.name)).toEqual([
      'get_time',
    ]);
    const unknown = await post(
      '/v1/chat/completions',
      userSays('x', {
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
    );
    expect(unknown.status).toBe(400);
  });

  it('answers with text after a tool result, or when tool_choice is none', async () => {
    const res = await post(
      '/v1/chat/completions',
      {
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        ],
        tools: [weatherTool],
      },
      { 'x-standin-tokens': '3' },
    );
    const body = (await res.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({
      message: { content: 'Tool said: sunny' },
      finish_reason: 'stop',
    });
    const none = await post(
      '/v1/chat/completions',
      userSays('plain', { tools: [weatherTool], tool_choice: 'none' }),
    );
    const noneBody = (await none.json()) as { choices: { finish_reason: string }[] };
    expect(noneBody.choices[0]?.finish_reason).toBe('stop');
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

describe('stand-in server: stream misbehaviour', () => {
  it('stall-after:N sends N tokens then holds the connection open until the client leaves', async () => {
    const controller = new AbortController();
    const settled = nextSettled();
    const res = await post(
      '/v1/chat/completions',
      userSays('a b c d', { stream: true }),
      {
        'x-standin-stream': 'stall-after:2',
        'x-standin-tokens': '50',
      },
      controller.signal,
    );
    const read = await readSse(res, (data) => contentOf(chunksOf(data)).length >= 2);
    expect(contentOf(chunksOf(read.data))).toEqual(['a', ' b']);
    // With no token delay the other 48 tokens would have been written long before this answer.
    expect(await stats()).toMatchObject({ requests: 1, active: 1, completed: 0 });
    controller.abort();
    const [event] = await settled;
    expect(event).toMatchObject({ outcome: 'aborted', tokens: 2, path: '/v1/chat/completions' });
    expect(await stats()).toMatchObject({ requests: 1, active: 0, aborted: 1 });
  });

  it('break-after:N destroys the connection after N tokens, without [DONE]', async () => {
    const settled = nextSettled();
    const res = await post('/v1/chat/completions', userSays('a b c d', { stream: true }), {
      'x-standin-stream': 'break-after:3',
    });
    const read = await readSse(res);
    expect(read.ended).toBe(false);
    expect(read.error).toBeDefined();
    expect(contentOf(chunksOf(read.data))).toEqual(['a', ' b', ' c']);
    expect(read.data).not.toContain('[DONE]');
    expect((await settled)[0]).toMatchObject({ outcome: 'broken', tokens: 3 });
    expect(await stats()).toMatchObject({ broken: 1, aborted: 0, active: 0 });
  });

  it('error-after:N sends an in-band error chunk, then the final chunk and [DONE]', async () => {
    const res = await post('/v1/chat/completions', userSays('a b c d', { stream: true }), {
      'x-standin-stream': 'error-after:1',
    });
    expect(res.status).toBe(200);
    const { data, ended } = await readSse(res);
    expect(ended).toBe(true);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    expect(contentOf(chunks)).toEqual(['a']);
    const error = chunks.find((chunk) => chunk.error !== undefined);
    expect(error?.error).toMatchObject({ type: 'server_error', code: '500' });
    expect(error?.error?.message).toContain('after 1 tokens');
    expect(chunks.indexOf(error!)).toBe(chunks.length - 2);
  });

  it('error-after:N on a non-streamed request answers 500 with an OpenAI error body', async () => {
    const res = await post('/v1/chat/completions', userSays('a b'), {
      'x-standin-stream': 'error-after:1',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { type: 'server_error', code: '500' } });
  });
});

describe('stand-in server: cancellation', () => {
  it('stops a stream at once when the client disconnects and counts it as aborted', async () => {
    const controller = new AbortController();
    const settled = nextSettled();
    const res = await post(
      '/v1/chat/completions',
      userSays('tick tock', { stream: true }),
      {
        'x-standin-token-ms': '20',
        'x-standin-tokens': '500',
      },
      controller.signal,
    );
    await readSse(res, (data) => contentOf(chunksOf(data)).length >= 3);
    controller.abort();
    const [event] = await settled;
    expect(event?.outcome).toBe('aborted');
    expect(event?.tokens).toBeLessThan(20);
    expect(await stats()).toMatchObject({ requests: 1, completed: 0, aborted: 1, active: 0 });
    expect(access.at(-2)).toMatch(/"POST \/v1\/chat\/completions HTTP\/1\.1" 200 OK$/);
  });

  it('cancels a non-streamed request waiting for its first token, logged as 499', async () => {
    const controller = new AbortController();
    const begun = once(server.events, 'begun');
    const settled = nextSettled();
    const pending = post(
      '/v1/chat/completions',
      userSays('slow'),
      {
        'x-standin-first-token-ms': '600000',
      },
      controller.signal,
    ).catch((error: unknown) => error);
    await begun;
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect((await settled)[0]).toMatchObject({ outcome: 'aborted', tokens: 0 });
    expect(access.at(-1)).toMatch(
      /"POST \/v1\/chat\/completions HTTP\/1\.1" 499 Client Closed Request$/,
    );
  });

  it('counts concurrent requests and the peak, and close() drops stalled streams', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const responses = await Promise.all(
      controllers.map((controller) =>
        post(
          '/v1/chat/completions',
          userSays('x', { stream: true }),
          { 'x-standin-stream': 'stall-after:0' },
          controller.signal,
        ),
      ),
    );
    expect(await stats()).toMatchObject({ requests: 2, active: 2, peakActive: 2 });
    const settled = nextSettled(2);
    await server.close();
    expect((await settled).map((event) => event.outcome)).toEqual(['aborted', 'aborted']);
    expect(server.stats()).toMatchObject({ active: 0, aborted: 2 });
    await Promise.all(responses.map((res) => readSse(res)));
  });
});
