import { afterEach, describe, expect, it } from 'vitest';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, startSse } from '../testing/fake-upstream.js';
import type { UpstreamExchange } from '../testing/fake-upstream.js';
import { ManualClock } from '../testing/manual-clock.js';
import { SseReader, open, send } from '../testing/proxy-client.js';
import { localModel, remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import { waitUntil } from '../testing/wait-until.js';
import { countTokensAnthropic } from '../translate/index.js';
import type { AnthropicMessagesRequest } from '../translate/index.js';

const HEARTBEAT_MS = 1_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(): Promise<FakeUpstream> {
  const fake = await FakeUpstream.start();
  cleanups.push(() => fake.close());
  return fake;
}

async function proxyFor(models: TestProxy['config']['models'], clock?: ManualClock) {
  const t = await startTestProxy({
    models,
    proxy: { heartbeatMs: HEARTBEAT_MS },
    ...(clock ? { clock } : {}),
  });
  cleanups.push(() => t.close());
  return t;
}

const question: AnthropicMessagesRequest = {
  model: 'qwen',
  max_tokens: 64,
  system: [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Answer in English.' },
  ],
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ],
  tool_choice: { type: 'any' },
};

function chunk(delta: object, extra: object = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
}

function json(ex: UpstreamExchange, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  ex.res.writeHead(status, { 'content-type': 'application/json' });
  ex.res.end(text);
}

/** The parsed `data` of the Anthropic events received so far. */
function parsed(reader: SseReader): Array<Record<string, unknown>> {
  return reader.events.map((data) => JSON.parse(data) as Record<string, unknown>);
}

describe('POST /v1/messages in front of an OpenAI-compatible model', () => {
  it('translates the request, calls chat completions and answers an Anthropic message', async () => {
    const fake = await upstream();
    const t = await proxyFor([
      remoteModel('qwen', `${fake.origin}/v1`, { upstreamModel: 'qwen2.5-7b' }),
    ]);
    const { response } = open(t.url, '/v1/messages', {
      body: question,
      headers: { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
    });
    const ex = await fake.nextExchange();
    expect(ex.req.url).toBe('/v1/chat/completions');
    expect(ex.req.headers['x-api-key']).toBeUndefined();
    expect(ex.json).toEqual({
      model: 'qwen2.5-7b',
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
      max_tokens: 64,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    });
    json(ex, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 },
    });
    const res = await response;
    const chunks: Buffer[] = [];
    for await (const part of res) chunks.push(part as Buffer);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'qwen',
      content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 40,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({
      path: '/v1/messages',
      model: 'qwen',
      status: 200,
      complete: true,
    });
  });

  it('streams each translated event before the upstream sends its next chunk', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const body = { ...question, stream: true, tools: undefined, tool_choice: undefined };
    const { response } = open(t.url, '/v1/messages', { body });
    const ex = await fake.nextExchange();
    expect(ex.json['stream']).toBe(true);
    expect(ex.json['stream_options']).toEqual({ include_usage: true });
    startSse(ex);
    const res = await response;
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reader = new SseReader(res);

    ex.res.write(chunk({ role: 'assistant', content: '' }));
    await reader.waitForItems(1);
    const [start] = parsed(reader);
    expect(start).toMatchObject({
      type: 'message_start',
      message: {
        model: 'qwen',
        usage: { input_tokens: countTokensAnthropic(body).input_tokens, output_tokens: 0 },
      },
    });
    expect(countTokensAnthropic(body).input_tokens).toBeGreaterThan(0);

    ex.res.write(chunk({ content: 'Hello' }));
    await reader.waitForItems(3);
    expect(parsed(reader).slice(1)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    ]);
    ex.res.write(chunk({ content: ' world' }));
    await reader.waitForItems(4);
    expect(parsed(reader)[3]).toMatchObject({ delta: { text: ' world' } });

    ex.res.write(chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    ex.res.write(
      chunk(
        {},
        { choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } },
      ),
    );
    ex.res.end('data: [DONE]\n\n');
    await reader.waitForEnd();
    expect(parsed(reader).slice(4)).toEqual([
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: {
          input_tokens: 12,
          output_tokens: 2,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
      { type: 'message_stop' },
    ]);
    expect(reader.raw).toContain('event: message_stop\n');
    expect(reader.raw).not.toContain('[DONE]');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ stream: true, complete: true, status: 200 });
  });

  it('ends a stream whose upstream stopped without [DONE] with an Anthropic error event', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/messages', { body: { ...question, stream: true } });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.end(chunk({ content: 'Hel' }));
    await reader.waitForEnd();
    const events = parsed(reader);
    expect(events.map((e) => e['type'])).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('no [DONE]') },
    });
    expect(reader.raw).toContain('event: error\n');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ complete: false, error: 'STREAM_INTERRUPTED' });
  });

  it('turns a mid-stream upstream error into an error event and stops the upstream', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/messages', { body: { ...question, stream: true } });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.write(chunk({ content: 'Hi' }));
    ex.res.write(
      `data: ${JSON.stringify({ error: { message: 'out of memory at http://10.0.0.7:8080', type: 'server_error', code: 500 } })}\n\n`,
    );
    await reader.waitForEnd();
    await ex.aborted;
    expect(parsed(reader).at(-1)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'out of memory at qwen' },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ complete: false, error: 'UPSTREAM_ERROR' });
  });

  it('aborts the upstream request when the client goes away mid-stream', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { req, response } = open(t.url, '/v1/messages', { body: { ...question, stream: true } });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.write(chunk({ content: 'Hi' }));
    await reader.waitForItems(3);
    req.destroy();
    await ex.aborted;
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ clientClosed: true, complete: false });
  });

  it('sends Anthropic ping events as heartbeats while a local model loads', async () => {
    const fake = await upstream();
    const clock = new ManualClock();
    const supervisor = new FakeSupervisor();
    supervisor.setStopped('local');
    let ready: (value: { baseUrl: string }) => void = () => {};
    supervisor.onEnsure(() => new Promise((resolve) => (ready = resolve)));
    const t = await startTestProxy({
      models: [localModel('local')],
      proxy: { heartbeatMs: HEARTBEAT_MS },
      supervisor,
      clock,
    });
    cleanups.push(() => t.close());
    const { response } = open(t.url, '/v1/messages', {
      body: { ...question, model: 'local', stream: true },
    });
    await waitUntil(() => supervisor.ensureCalls.length === 1);
    clock.advance(HEARTBEAT_MS);
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['request-id']).toBeTruthy();
    const reader = new SseReader(res);
    clock.advance(HEARTBEAT_MS);
    await reader.waitForItems(1);
    expect(reader.raw).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(reader.comments).toEqual([]);

    ready({ baseUrl: fake.origin });
    const ex = await fake.nextExchange();
    expect(ex.req.url).toBe('/v1/chat/completions');
    startSse(ex);
    ex.res.end(`${chunk({ content: 'loaded' })}data: [DONE]\n\n`);
    await reader.waitForEnd();
    expect(parsed(reader).map((e) => e['type'])).toEqual([
      'ping',
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    await supervisor.waitForRelease(supervisor.ensureCalls[0]?.lease?.id as string);
  });

  it('fails over to the next target before any content, translating for each', async () => {
    const broken = await upstream();
    const good = await upstream();
    broken.setHandler((ex) => json(ex, 503, { error: { message: 'busy' } }));
    good.setHandler((ex) =>
      json(ex, 200, {
        id: 'c2',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'from the fallback' },
            finish_reason: 'stop',
          },
        ],
      }),
    );
    const t = await proxyFor([
      remoteModel('qwen', `${broken.origin}/v1`, { fallbacks: ['backup'] }),
      remoteModel('backup', `${good.origin}/v1`, { upstreamModel: 'backup-model' }),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: { ...question, tools: undefined, tool_choice: undefined },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      model: 'qwen',
      content: [{ type: 'text', text: 'from the fallback' }],
      stop_reason: 'end_turn',
    });
    expect(good.exchanges[0]?.json['model']).toBe('backup-model');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ target: 'backup', attempts: 2 });
  });

  it('refuses a feature the target cannot take with a 400 naming it, and never tries a fallback', async () => {
    const primary = await upstream();
    const fallback = await upstream();
    const t = await proxyFor([
      remoteModel('qwen', `${primary.origin}/v1`, { fallbacks: ['claude'] }),
      remoteModel('claude', `${fallback.origin}/v1`, { backend: 'anthropic' }),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: {
        model: 'qwen',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              },
              { type: 'text', text: 'Summarise' },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(
          /^model 'qwen' \(backend openai-compatible\) cannot take this request: document blocks \(messages\[0\]\.content\[0\]\)/,
        ),
      },
      request_id: res.headers['request-id'],
    });
    expect(primary.exchanges).toHaveLength(0);
    expect(fallback.exchanges).toHaveLength(0);
  });

  it('skips a fallback that cannot take the request and reports the primary failure', async () => {
    const primary = await upstream();
    const fallback = await upstream();
    primary.setHandler((ex) => json(ex, 500, { error: { message: 'crashed' } }));
    const t = await proxyFor([
      remoteModel('claude', `${primary.origin}/v1`, { backend: 'anthropic', fallbacks: ['qwen'] }),
      remoteModel('qwen', `${fallback.origin}/v1`),
    ]);
    const res = await send(t.url, '/v1/messages', {
      body: {
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'search' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'tool', name: 'web_search' },
      },
    });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('HTTP 500') },
    });
    expect(primary.exchanges).toHaveLength(1);
    expect(fallback.exchanges).toHaveLength(0);
  });

  it('relays an upstream 4xx in the Anthropic error format with its status', async () => {
    const fake = await upstream();
    fake.setHandler((ex) =>
      json(ex, 400, {
        error: { message: 'context length exceeded', type: 'invalid_request_error' },
      }),
    );
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const res = await send(t.url, '/v1/messages', { body: question });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: "model 'qwen' rejected the request (HTTP 400): context length exceeded",
      },
      request_id: expect.any(String),
    });
  });

  it('answers count_tokens for an OpenAI-compatible model with the estimate, without calling it', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { max_tokens: _unused, ...body } = question;
    const res = await send(t.url, '/v1/messages/count_tokens', { body });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(countTokensAnthropic(question));
    expect(res.headers['request-id']).toBeTruthy();
    expect(fake.exchanges).toHaveLength(0);
  });
});

describe('Anthropic-format errors on /v1/messages', () => {
  let t: TestProxy;
  const setup = async (): Promise<TestProxy> => {
    const fake = await upstream();
    t = await proxyFor([remoteModel('qwen-7b', `${fake.origin}/v1`, { aliases: ['qwen'] })]);
    return t;
  };

  it('answers an unknown model with 404 not_found_error and suggestions', async () => {
    await setup();
    const res = await send(t.url, '/v1/messages', { body: { ...question, model: 'qwen-8b' } });
    expect(res.status).toBe(404);
    expect(res.headers['request-id']).toBe(res.headers['x-request-id']);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: expect.stringMatching(
          /^model 'qwen-8b' is not configured; did you mean 'qwen-7b'/,
        ),
      },
      request_id: res.headers['request-id'],
    });
  });

  it.each([
    [
      'missing max_tokens',
      { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] },
      'max_tokens',
    ],
    ['max_tokens not an integer', { model: 'qwen', max_tokens: 1.5, messages: [] }, 'max_tokens'],
    ['messages not an array', { model: 'qwen', max_tokens: 5, messages: 'hi' }, 'messages'],
    ['no messages', { model: 'qwen', max_tokens: 5, messages: [] }, 'messages'],
    [
      'a bad role',
      { model: 'qwen', max_tokens: 5, messages: [{ role: 'developer', content: 'x' }] },
      'messages[0].role',
    ],
    [
      'a tool_use block without input',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f' }] },
        ],
      },
      'messages[1].content[0].input',
    ],
    [
      'a system block that is not text',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        system: [{ type: 'image' }],
      },
      'system[0].type',
    ],
    [
      'a tool without input_schema',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'f' }],
      },
      'tools[0].input_schema',
    ],
    [
      'a tool_choice naming no tool',
      {
        model: 'qwen',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
        tool_choice: { type: 'tool' },
      },
      'tool_choice.name',
    ],
    [
      'stream not a boolean',
      { model: 'qwen', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stream: 'yes' },
      'stream',
    ],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    await setup();
    const res = await send(t.url, '/v1/messages', { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining(`'${field}'`) },
    });
  });

  it('refuses a body over the limit with 413 request_too_large', async () => {
    const fake = await upstream();
    const small = await startTestProxy({
      models: [remoteModel('qwen', `${fake.origin}/v1`)],
      proxy: { bodyLimitBytes: 1024 },
    });
    cleanups.push(() => small.close());
    const res = await send(small.url, '/v1/messages', {
      body: { ...question, messages: [{ role: 'user', content: 'x'.repeat(2048) }] },
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(fake.exchanges).toHaveLength(0);
  });

  it('answers malformed JSON, a missing model and a wrong method in the Anthropic format', async () => {
    await setup();
    const bad = await send(t.url, '/v1/messages', { body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noModel = await send(t.url, '/v1/messages', { body: { max_tokens: 5, messages: [] } });
    expect(noModel.status).toBe(400);
    expect(noModel.json).toMatchObject({
      error: { message: expect.stringContaining("no 'model'") },
    });
    const get = await send(t.url, '/v1/messages', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect(get.headers['request-id']).toBe(get.headers['x-request-id']);
    expect(get.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const unknown = await send(t.url, '/v1/messages/batches', { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers['request-id']).toBe(unknown.headers['x-request-id']);
    expect(unknown.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    // The OpenAI routes keep their own format.
    const openai = await send(t.url, '/v1/chat/completions', { body: '{"model":' });
    expect(openai.json).toMatchObject({ error: { code: 'invalid_json' } });
    expect(openai.headers['request-id']).toBeUndefined();
  });
});
