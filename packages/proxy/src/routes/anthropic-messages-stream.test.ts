import { afterEach, describe, expect, it } from 'vitest';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { startSse } from '../testing/fake-upstream.js';
import { ManualClock } from '../testing/manual-clock.js';
import { SseReader, open } from '../testing/proxy-client.js';
import { localModel, remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import { waitUntil } from '../testing/wait-until.js';
import {
  HEARTBEAT_MS,
  cleanups,
  chunk,
  parsed,
  proxyFor,
  question,
  upstream,
  runCleanups,
} from '../testing/anthropic-route-fixture.js';
import { countTokensAnthropic } from '../translate/index.js';

afterEach(runCleanups);

describe('POST /v1/messages streaming from an OpenAI-compatible model', () => {
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
});
