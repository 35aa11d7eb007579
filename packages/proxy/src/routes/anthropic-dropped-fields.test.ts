import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream, startSse } from '../testing/fake-upstream.js';
import type { UpstreamExchange } from '../testing/fake-upstream.js';
import { SseReader, open, send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import { DROPPED_FIELDS_HEADER } from '../api/dropped-fields.js';

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
  const t = await startTestProxy({ models });
  cleanups.push(() => t.close());
  return t;
}

function json(ex: UpstreamExchange, body: unknown): void {
  ex.res.writeHead(200, { 'content-type': 'application/json' });
  ex.res.end(JSON.stringify(body));
}

/** The shape current Claude Code sends (see translate/fixtures/claude-code/). */
const claudeCodeLike = {
  model: 'm',
  max_tokens: 32_000,
  thinking: { type: 'adaptive', display: 'omitted' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  output_config: { effort: 'medium' },
  tools: [
    { name: 'Bash', input_schema: { type: 'object' } },
    { name: 'Later', input_schema: { type: 'object' }, defer_loading: true },
  ],
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hello' }] },
    {
      role: 'system',
      content: [{ type: 'text', text: '# Environment', cache_control: { type: 'ephemeral' } }],
    },
  ],
};

const headers = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,context-management-2025-06-27',
};

describe('/v1/messages with the fields current Claude Code sends', () => {
  it('translates for an OpenAI-compatible model and names what it dropped, ?beta=true ignored', async () => {
    const fake = await upstream();
    fake.setHandler((ex) =>
      json(ex, {
        id: 'c1',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
        ],
      }),
    );
    const t = await proxyFor([remoteModel('m', `${fake.origin}/v1`)]);
    const res = await send(t.url, '/v1/messages?beta=true', {
      body: { ...claudeCodeLike, stream: false },
      headers,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ content: [{ type: 'text', text: 'hi' }] });
    const dropped =
      'cache_control, thinking.display, context_management, tools[].defer_loading, anthropic-beta';
    expect(res.headers[DROPPED_FIELDS_HEADER]).toBe(dropped);
    const sent = fake.exchanges[0]?.json;
    expect(sent?.['reasoning_effort']).toBe('medium');
    expect(sent?.['messages']).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'system', content: '# Environment' },
    ]);
    expect(sent).not.toHaveProperty('context_management');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ path: '/v1/messages', status: 200, droppedFields: dropped });
  });

  it('names the dropped fields on a translated stream too', async () => {
    const fake = await upstream();
    const t = await proxyFor([remoteModel('m', `${fake.origin}/v1`)]);
    const { response } = open(t.url, '/v1/messages?beta=true', {
      body: { ...claudeCodeLike, stream: true },
    });
    const ex = await fake.nextExchange();
    startSse(ex);
    const res = await response;
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers[DROPPED_FIELDS_HEADER]).toBe(
      'cache_control, thinking.display, context_management, tools[].defer_loading',
    );
    const reader = new SseReader(res);
    ex.res.end('data: [DONE]\n\n');
    await reader.waitForEnd();
  });

  it('after a failover to an Anthropic target, names nothing: that target got every field', async () => {
    const broken = await upstream();
    broken.setHandler((ex) => {
      ex.res.writeHead(503, { 'content-type': 'application/json' });
      ex.res.end('{"error":{"message":"busy"}}');
    });
    const anthropic = await upstream();
    anthropic.setHandler((ex) =>
      json(ex, {
        id: 'msg_2',
        type: 'message',
        role: 'assistant',
        model: 'claude',
        content: [{ type: 'text', text: 'from Anthropic' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 2 },
      }),
    );
    const t = await proxyFor([
      remoteModel('m', `${broken.origin}/v1`, { fallbacks: ['claude'] }),
      remoteModel('claude', `${anthropic.origin}/v1`, { backend: 'anthropic' }),
    ]);
    const res = await send(t.url, '/v1/messages', { body: { ...claudeCodeLike, stream: false } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ content: [{ type: 'text', text: 'from Anthropic' }] });
    expect(broken.exchanges).toHaveLength(1);
    expect(res.headers[DROPPED_FIELDS_HEADER]).toBeUndefined();
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ target: 'claude', attempts: 2 });
    expect(line['droppedFields']).toBeUndefined();
  });

  it('passes every field through unchanged to an Anthropic backend, naming nothing', async () => {
    const fake = await upstream();
    fake.setHandler((ex) =>
      json(ex, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [{ type: 'text', text: 'hi' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
    );
    const t = await proxyFor([remoteModel('m', `${fake.origin}/v1`, { backend: 'anthropic' })]);
    const body = { ...claudeCodeLike, stream: false, a_field_from_the_future: { x: 1 } };
    const res = await send(t.url, '/v1/messages?beta=true', { body, headers });
    expect(res.status).toBe(200);
    expect(res.headers[DROPPED_FIELDS_HEADER]).toBeUndefined();
    const ex = fake.exchanges[0];
    expect(ex?.req.url).toBe('/v1/messages');
    expect(ex?.json).toEqual(body);
    expect(ex?.req.headers['anthropic-beta']).toBe(headers['anthropic-beta']);
    const line = await t.logger.waitForRequests(1);
    expect(line['droppedFields']).toBeUndefined();
  });
});
