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

async function proxyFor(models: TestProxy['config']['models']): Promise<TestProxy> {
  const t = await startTestProxy({ models, proxy: { heartbeatMs: HEARTBEAT_MS } });
  cleanups.push(() => t.close());
  return t;
}

function chunk(delta: object, extra: object = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
}

function json(ex: UpstreamExchange, body: unknown): void {
  const text = JSON.stringify(body);
  ex.res.writeHead(200, { 'content-type': 'application/json' });
  ex.res.end(text);
}

/** The parsed `data` of the events received so far. */
function parsed(reader: SseReader): Array<Record<string, unknown>> {
  return reader.events.map((data) => JSON.parse(data) as Record<string, unknown>);
}

const completion = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'qwen',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
});

describe('POST /v1/responses in front of an OpenAI-compatible model', () => {
  it('streams each translated event before the upstream sends its next chunk', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/responses', {
      body: { model: 'qwen', input: 'hi', stream: true, store: false },
    });
    const ex = await fake.nextExchange();
    expect(ex.req.url).toBe('/v1/chat/completions');
    expect(ex.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    startSse(ex);
    const res = await response;
    expect(res.headers['content-type']).toBe('text/event-stream');
    const reader = new SseReader(res);

    ex.res.write(chunk({ role: 'assistant', content: 'Hel' }));
    await reader.waitForItems(5);
    expect(parsed(reader).map((e) => e['type'])).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    ex.res.write(chunk({ content: 'lo' }));
    await reader.waitForItems(6);
    expect(parsed(reader)[5]).toMatchObject({ delta: 'lo', sequence_number: 5, output_index: 0 });

    ex.res.write(chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    ex.res.end('data: [DONE]\n\n');
    await reader.waitForEnd();
    const events = parsed(reader);
    expect(events.at(-1)).toMatchObject({
      type: 'response.completed',
      response: { status: 'completed', output_text: 'Hello', model: 'qwen' },
    });
    expect(reader.raw).toContain('event: response.completed\n');
    expect(reader.raw).not.toContain('[DONE]');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ path: '/v1/responses', stream: true, complete: true });
  });

  it('ends a stream whose upstream stopped without [DONE] with response.failed', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/responses', {
      body: { model: 'qwen', input: 'hi', stream: true },
    });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.end(chunk({ content: 'Hel' }));
    await reader.waitForEnd();
    const last = parsed(reader).at(-1);
    expect(last).toMatchObject({
      type: 'response.failed',
      sequence_number: 5,
      response: { status: 'failed', error: { message: expect.stringContaining('no [DONE]') } },
    });
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ complete: false, error: 'UPSTREAM_ERROR' });
  });

  it('ends a stream whose upstream connection broke with response.failed continuing the sequence', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/responses', {
      body: { model: 'qwen', input: 'hi', stream: true },
    });
    const ex = await fake.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    ex.res.write(chunk({ content: 'Hel' }));
    await reader.waitForItems(5);
    ex.res.socket?.destroy();
    await reader.waitForEnd();
    const events = parsed(reader);
    expect(events.map((e) => e['sequence_number'])).toEqual(events.map((_, i) => i));
    expect(events.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed' },
    });
  });

  it('sends heartbeats while a local model loads', async () => {
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
    const { response } = open(t.url, '/v1/responses', {
      body: { model: 'local', input: 'hi', stream: true },
    });
    await waitUntil(() => supervisor.ensureCalls.length === 1);
    clock.advance(HEARTBEAT_MS);
    const reader = new SseReader(await response);
    clock.advance(HEARTBEAT_MS);
    await reader.waitForItems(1);
    expect(reader.comments.length).toBeGreaterThan(0);
    ready({ baseUrl: fake.origin });
    const ex = await fake.nextExchange();
    startSse(ex);
    ex.res.end(`${chunk({ content: 'loaded' })}data: [DONE]\n\n`);
    await reader.waitForEnd();
    expect(parsed(reader).at(-1)).toMatchObject({ type: 'response.completed' });
    await supervisor.waitForRelease(supervisor.ensureCalls[0]?.lease?.id as string);
  });
});

describe('fields a chat backend cannot take', () => {
  it('drops hints and offered built-in tools, naming them in a header and the log', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const pending = send(t.url, '/v1/responses', {
      body: {
        model: 'qwen',
        input: 'hi',
        store: false,
        tools: [{ type: 'web_search' }],
        include: ['reasoning.encrypted_content'],
        prompt_cache_key: 'k',
      },
    });
    const ex = await fake.nextExchange();
    expect(ex.json['tools']).toBeUndefined();
    expect(ex.json['include']).toBeUndefined();
    json(ex, completion('hello'));
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers['x-mlx-gateway-dropped-fields']).toBe(
      'tools[web_search], include, prompt_cache_key',
    );
    const logged = t.logger.lines.find((line) => line.msg?.startsWith('responses: fields'));
    expect(logged?.fields).toMatchObject({
      target: 'qwen',
      dropped: ['tools[web_search]', 'include', 'prompt_cache_key'],
    });
  });
});

describe('stored responses', () => {
  it('keeps a response for GET, continues it with previous_response_id, forgets it on DELETE', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const first = send(t.url, '/v1/responses', {
      body: { model: 'qwen', instructions: 'Be brief.', input: 'hello' },
    });
    json(await fake.nextExchange(), completion('hi there'));
    const created = await first;
    expect(created.status).toBe(200);
    const id = created.json['id'] as string;
    expect(id).toMatch(/^resp_/);

    const got = await send(t.url, `/v1/responses/${id}`, { method: 'GET' });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);

    const second = send(t.url, '/v1/responses', {
      body: { model: 'qwen', previous_response_id: id, input: 'and again' },
    });
    const ex = await fake.nextExchange();
    // The earlier turn comes first; its instructions are not carried over.
    expect(ex.json['messages']).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'hi there' },
      { role: 'user', content: 'and again' },
    ]);
    json(ex, completion('ok'));
    expect((await second).json['previous_response_id']).toBe(id);

    const deleted = await send(t.url, `/v1/responses/${id}`, { method: 'DELETE' });
    expect(deleted.json).toEqual({ id, object: 'response', deleted: true });
    const gone = await send(t.url, `/v1/responses/${id}`, { method: 'GET' });
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({
      error: {
        message: `Response with id '${id}' not found.`,
        type: 'not_found_error',
        param: null,
        code: 'not_found',
      },
    });
  });

  it('answers an unknown previous_response_id with 404 without calling the model', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const res = await send(t.url, '/v1/responses', {
      body: { model: 'qwen', previous_response_id: 'resp_nope', input: 'x' },
    });
    expect(res.status).toBe(404);
    expect(res.json['error']).toMatchObject({ param: 'previous_response_id' });
    expect(fake.exchanges).toHaveLength(0);
  });

  it('refuses bad requests in the OpenAI format', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
    const missing = await send(t.url, '/v1/responses', { body: { input: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.json['error']).toMatchObject({ param: 'model' });
    const wrongInput = await send(t.url, '/v1/responses', { body: { model: 'qwen', input: 3 } });
    expect(wrongInput.status).toBe(400);
    expect(wrongInput.json['error']).toMatchObject({ param: 'input' });
    const method = await send(t.url, '/v1/responses', { method: 'GET' });
    expect(method.status).toBe(405);
    expect(method.headers['allow']).toBe('POST');
  });
});
