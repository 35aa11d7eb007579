import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream, startSse } from '../testing/fake-upstream.js';
import type { UpstreamExchange } from '../testing/fake-upstream.js';
import { SseReader, open, send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from './anthropic-backend.js';

const KEY = 'sk-ant-test-0123456789abcdefghij';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ t: TestProxy; fake: FakeUpstream }> {
  const fake = await FakeUpstream.start();
  cleanups.push(() => fake.close());
  const t = await startTestProxy({
    models: [
      remoteModel('claude', `${fake.origin}/v1`, {
        backend: 'anthropic',
        upstreamModel: 'claude-sonnet-4-5',
        apiKey: { kind: 'env', name: 'ANTHROPIC_KEY' },
      }),
    ],
    secrets: { ANTHROPIC_KEY: KEY },
  });
  cleanups.push(() => t.close());
  return { t, fake };
}

function event(type: string, data: object): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

const message = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text: 'Bonjour' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 20,
    output_tokens: 3,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 5,
  },
};

function answer(ex: UpstreamExchange, status: number, body: unknown): void {
  ex.res.writeHead(status, { 'content-type': 'application/json' });
  ex.res.end(JSON.stringify(body));
}

describe('anthropic backend, OpenAI-format clients', () => {
  it('translates a chat completion to /messages with the gateway key, and the answer back', async () => {
    const { t, fake } = await setup();
    fake.setHandler((ex) => answer(ex, 200, message));
    const res = await send(t.url, '/v1/chat/completions', {
      body: {
        model: 'claude',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'Hello' },
        ],
      },
      headers: { authorization: 'Bearer client-key', 'x-api-key': 'client-x-key' },
    });
    expect(res.status).toBe(200);
    const ex = fake.exchanges[0] as UpstreamExchange;
    expect(ex.req.url).toBe('/v1/messages');
    expect(ex.req.headers['x-api-key']).toBe(KEY);
    expect(ex.req.headers['anthropic-version']).toBe('2023-06-01');
    expect(ex.req.headers['authorization']).toBeUndefined();
    expect(ex.json).toEqual({
      model: 'claude-sonnet-4-5',
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
    });
    expect(res.json).toMatchObject({
      id: 'msg_01',
      object: 'chat.completion',
      model: 'claude',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Bonjour' }, finish_reason: 'stop' },
      ],
      usage: {
        prompt_tokens: 25,
        completion_tokens: 3,
        prompt_tokens_details: { cached_tokens: 5 },
      },
    });
    await t.logger.waitForRequests(1);
    const logged = JSON.stringify(t.logger.lines);
    expect(logged).not.toContain(KEY);
    expect(logged).toContain('"backend":"anthropic"');
  });

  it('streams translated chunks as the events arrive, with usage and [DONE] at the end', async () => {
    const { fake, t } = await setup();
    const { response } = open(t.url, '/v1/chat/completions', {
      body: {
        model: 'claude',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
    });
    const ex = await fake.nextExchange();
    expect(ex.json['stream']).toBe(true);
    expect(ex.json['stream_options']).toBeUndefined();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.write(
      event('message_start', {
        message: { ...message, content: [], usage: { input_tokens: 7, output_tokens: 1 } },
      }),
    );
    await reader.waitForItems(1);
    expect(JSON.parse(reader.events[0] as string)).toMatchObject({
      choices: [{ delta: { role: 'assistant', content: '' } }],
    });
    ex.res.write(
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    );
    ex.res.write(event('ping', {}));
    ex.res.write(
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Bon' } }),
    );
    await reader.waitForItems(2);
    expect(JSON.parse(reader.events[1] as string)).toMatchObject({
      choices: [{ delta: { content: 'Bon' } }],
    });
    ex.res.write(
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'jour' } }),
    );
    await reader.waitForItems(3);
    ex.res.write(event('content_block_stop', { index: 0 }));
    ex.res.write(
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 2 },
      }),
    );
    ex.res.end(event('message_stop', {}));
    await reader.waitForEnd();
    const events = reader.events;
    expect(events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(events.at(-3) as string)).toMatchObject({
      choices: [{ finish_reason: 'stop' }],
    });
    expect(JSON.parse(events.at(-2) as string)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ complete: true, backend: 'anthropic' });
  });

  it('ends the stream with an error event and [DONE] when the upstream fails midway', async () => {
    const { fake, t } = await setup();
    const { response } = open(t.url, '/v1/chat/completions', {
      body: { model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true },
    });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.write(event('message_start', { message: { ...message, content: [] } }));
    ex.res.write(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
    await reader.waitForEnd();
    expect(reader.events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(reader.events.at(-2) as string)).toEqual({
      error: { message: 'Overloaded', type: 'server_error', param: null, code: null },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ complete: false, error: 'UPSTREAM_ERROR' });
  });

  it('refuses what the Anthropic API cannot do with a 400 naming the feature and the backend', async () => {
    const { fake, t } = await setup();
    const n = await send(t.url, '/v1/chat/completions', {
      body: { model: 'claude', messages: [{ role: 'user', content: 'Hi' }], n: 2 },
    });
    expect(n.status).toBe(400);
    expect(n.json).toMatchObject({
      error: {
        code: 'unsupported_feature',
        param: 'n',
        message: expect.stringMatching(/^model 'claude' \(backend anthropic\).*n greater than 1/),
      },
    });
    const completions = await send(t.url, '/v1/completions', {
      body: { model: 'claude', prompt: 'Once upon' },
    });
    expect(completions.status).toBe(400);
    expect(completions.json).toMatchObject({
      error: { code: 'unsupported_feature', message: expect.stringContaining('backend anthropic') },
    });
    expect(fake.exchanges).toHaveLength(0);
  });

  it('answers an upstream error status in the OpenAI format', async () => {
    const { fake, t } = await setup();
    fake.setHandler((ex) =>
      answer(ex, 529, {
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      }),
    );
    const res = await send(t.url, '/v1/chat/completions', {
      body: { model: 'claude', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      error: {
        code: 'upstream_error',
        message: "model 'claude' failed upstream (HTTP 529): Overloaded",
      },
    });
  });
});

describe('anthropic backend, Anthropic-format clients', () => {
  it('passes a request through untranslated, only the model replaced', async () => {
    const { fake, t } = await setup();
    fake.setHandler((ex) => answer(ex, 200, message));
    const body = {
      model: 'claude',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } },
          ],
        },
      ],
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      future_field: { anything: true },
    };
    const res = await send(t.url, '/v1/messages', {
      body,
      headers: { 'anthropic-beta': 'prompt-caching-2024-07-31', 'x-api-key': 'client-key' },
    });
    expect(res.status).toBe(200);
    // The answer names the model the client asked for, like every backend's (docs/proxy.md).
    expect(res.json).toEqual({ ...message, model: 'claude' });
    const ex = fake.exchanges[0] as UpstreamExchange;
    expect(ex.req.url).toBe('/v1/messages');
    expect(ex.json).toEqual({ ...body, model: 'claude-sonnet-4-5' });
    expect(ex.req.headers['x-api-key']).toBe(KEY);
    expect(ex.req.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(ex.req.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('relays the event stream byte for byte, but for the model named as the client asked', async () => {
    const { fake, t } = await setup();
    const { response } = open(t.url, '/v1/messages', {
      body: {
        model: 'claude',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      },
    });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    const first = event('message_start', { message: { ...message, content: [] } });
    ex.res.write(first);
    await reader.waitForItems(1);
    const rest = `${event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })}${event('message_stop', {})}`;
    ex.res.end(rest);
    await reader.waitForEnd();
    const renamed = event('message_start', {
      message: { ...message, content: [], model: 'claude' },
    });
    expect(reader.raw).toBe(renamed + rest);
  });

  it('forwards count_tokens to the Anthropic API', async () => {
    const { fake, t } = await setup();
    fake.setHandler((ex) => answer(ex, 200, { input_tokens: 42 }));
    const res = await send(t.url, '/v1/messages/count_tokens', {
      body: { model: 'claude', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ input_tokens: 42 });
    expect(fake.exchanges[0]?.req.url).toBe('/v1/messages/count_tokens');
    expect(fake.exchanges[0]?.json['model']).toBe('claude-sonnet-4-5');
  });

  it('answers an upstream error in the Anthropic format with a clean message', async () => {
    const { fake, t } = await setup();
    fake.setHandler((ex) =>
      answer(ex, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: too large' },
      }),
    );
    const res = await send(t.url, '/v1/messages', {
      body: { model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: "model 'claude' rejected the request (HTTP 400): max_tokens: too large",
      },
      request_id: res.headers['request-id'],
    });
  });
});
