import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Timeouts } from '@mlx-gateway/shared/config';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, chunkEvent, startSse } from '../testing/fake-upstream.js';
import { ManualClock } from '../testing/manual-clock.js';
import { SseReader, open } from '../testing/proxy-client.js';
import { localModel, remoteModel, roomyTimeouts } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import { waitUntil } from '../testing/wait-until.js';

const HEARTBEAT_MS = 1_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  timeouts: Partial<Timeouts> = {},
): Promise<{ t: TestProxy; upstream: FakeUpstream; clock: ManualClock }> {
  const upstream = await FakeUpstream.start();
  cleanups.push(() => upstream.close());
  const clock = new ManualClock();
  const t = await startTestProxy({
    models: [
      remoteModel('cloud', `${upstream.origin}/v1`, {
        upstreamModel: 'cloud-2025',
        timeouts: { ...roomyTimeouts, ...timeouts },
      }),
    ],
    proxy: { heartbeatMs: HEARTBEAT_MS },
    clock,
  });
  cleanups.push(() => t.close());
  return { t, upstream, clock };
}

function streamRequest(t: TestProxy, model = 'cloud') {
  return open(t.url, '/v1/chat/completions', {
    body: { model, messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0.5 },
  });
}

function errorEventOf(reader: SseReader): Record<string, unknown> {
  const data = reader.events.at(-2);
  return JSON.parse(data ?? '{}') as Record<string, unknown>;
}

describe('streaming pass-through', () => {
  it('forwards each upstream event to the client before the next one is produced', async () => {
    const { t, upstream } = await setup();
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    const written: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const event = chunkEvent(`token-${i}`);
      written.push(event);
      ex.res.write(event);
      // The upstream writes event i+1 only once the client has event i.
      await reader.waitForItems(i);
      expect(reader.events[i - 1]).toContain(`token-${i}`);
    }
    ex.res.end('data: [DONE]\n\n');
    await reader.waitForEnd();
    expect(reader.raw).toBe(`${written.join('')}data: [DONE]\n\n`);
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({
      model: 'cloud',
      target: 'cloud',
      stream: true,
      complete: true,
      status: 200,
    });
  });

  it('sends SSE headers that defeat buffering, and no Content-Length', async () => {
    const { t, upstream } = await setup();
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['connection']).toBe('keep-alive');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['x-request-id']).toBeTruthy();
    ex.res.end('data: [DONE]\n\n');
    await new SseReader(res).waitForEnd();
  });

  it('sends the body upstream with only the model replaced, asking for the usage for the audit record', async () => {
    const { t, upstream } = await setup();
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    expect(ex.json).toEqual({
      model: 'cloud-2025',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      temperature: 0.5,
      stream_options: { include_usage: true },
    });
    startSse(ex);
    ex.res.end('data: [DONE]\n\n');
    await new SseReader(await response).waitForEnd();
  });
});

describe('heartbeats', () => {
  it('writes a keep-alive comment after each heartbeat interval of upstream silence, and only then', async () => {
    const { t, upstream, clock } = await setup();
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    const reader = new SseReader(await response);
    clock.advance(HEARTBEAT_MS);
    await reader.waitForItems(1);
    expect(reader.items[0]).toEqual({ kind: 'comment', data: 'keep-alive' });
    ex.res.write(chunkEvent('a'));
    await reader.waitForItems(2);
    // The event re-armed the heartbeat: just short of an interval later, nothing is sent.
    clock.advance(HEARTBEAT_MS - 1);
    ex.res.write(chunkEvent('b'));
    await reader.waitForItems(3);
    expect(reader.items.map((item) => item.kind)).toEqual(['comment', 'event', 'event']);
    ex.res.end('data: [DONE]\n\n');
    await reader.waitForEnd();
  });

  it('commits the stream after one heartbeat while a local model loads, and keeps it alive until ready', async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
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

    const { response } = streamRequest(t, 'local');
    await waitUntil(() => supervisor.ensureCalls.length === 1);
    clock.advance(HEARTBEAT_MS);
    const res = await response;
    expect(res.statusCode).toBe(200);
    const reader = new SseReader(res);
    clock.advance(HEARTBEAT_MS);
    await reader.waitForItems(1);
    clock.advance(HEARTBEAT_MS);
    await reader.waitForItems(2);
    expect(reader.comments).toEqual(['keep-alive', 'keep-alive']);

    ready({ baseUrl: upstream.origin });
    const ex = await upstream.nextExchange();
    expect(ex.req.url).toBe('/v1/chat/completions');
    startSse(ex);
    ex.res.end(`${chunkEvent('loaded')}data: [DONE]\n\n`);
    await reader.waitForEnd();
    expect(reader.events).toEqual([expect.stringContaining('loaded'), '[DONE]']);
  });

  it('answers a model start that fails within the first heartbeat with a proper error status', async () => {
    const supervisor = new FakeSupervisor();
    supervisor.setStopped('local');
    supervisor.onEnsure(() =>
      Promise.reject(
        new GatewayError(ErrorCodes.MODEL_START_FAILED, "model 'local' exited with code 1"),
      ),
    );
    const t = await startTestProxy({
      models: [localModel('local')],
      proxy: { heartbeatMs: HEARTBEAT_MS },
      supervisor,
      clock: new ManualClock(),
    });
    cleanups.push(() => t.close());
    const res = await streamRequest(t, 'local').response;
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const reader = new SseReader(res);
    await reader.waitForEnd();
    expect(JSON.parse(reader.raw)).toMatchObject({ error: { code: 'model_start_failed' } });
  });

  it('ends a committed stream with an error event when the model start fails later', async () => {
    const clock = new ManualClock();
    const supervisor = new FakeSupervisor();
    supervisor.setStopped('local');
    let fail: (err: Error) => void = () => {};
    supervisor.onEnsure(() => new Promise((_resolve, reject) => (fail = reject)));
    const t = await startTestProxy({
      models: [localModel('local')],
      proxy: { heartbeatMs: HEARTBEAT_MS },
      supervisor,
      clock,
    });
    cleanups.push(() => t.close());
    const { response } = streamRequest(t, 'local');
    await waitUntil(() => supervisor.ensureCalls.length === 1);
    clock.advance(HEARTBEAT_MS);
    const reader = new SseReader(await response);
    fail(new GatewayError(ErrorCodes.MODEL_START_TIMEOUT, "model 'local' did not become ready"));
    await reader.waitForEnd();
    expect(reader.events.at(-1)).toBe('[DONE]');
    expect(errorEventOf(reader)).toMatchObject({ error: { code: 'model_start_timeout' } });
  });
});

describe('timeouts', () => {
  it('answers 504 when the first byte does not come in time (before anything was sent)', async () => {
    const { t, upstream, clock } = await setup({ firstByteMs: 5_000 });
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    clock.advance(5_000);
    const res = await response;
    expect(res.statusCode).toBe(504);
    const reader = new SseReader(res);
    await reader.waitForEnd();
    expect(JSON.parse(reader.raw)).toMatchObject({
      error: {
        code: 'upstream_timeout',
        message: expect.stringContaining("model 'cloud' sent nothing within 5000 ms"),
      },
    });
    await ex.aborted;
  });

  it('ends the stream with an error event and [DONE] when the upstream goes idle mid-stream', async () => {
    const { t, upstream, clock } = await setup({ idleMs: 3_000 });
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('partial answer'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    clock.advance(3_000);
    await reader.waitForEnd();
    expect(reader.events).toHaveLength(3);
    expect(reader.events[0]).toContain('partial answer');
    expect(errorEventOf(reader)).toMatchObject({
      error: { code: 'upstream_timeout', message: expect.stringContaining('silent for 3000 ms') },
    });
    expect(reader.events[2]).toBe('[DONE]');
    await ex.aborted;
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ stream: true, complete: false, error: 'UPSTREAM_TIMEOUT' });
  });

  it('ends the stream with an error event when the total time runs out', async () => {
    const { t, upstream, clock } = await setup({ totalMs: 10_000 });
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('slow'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    clock.advance(10_000);
    await reader.waitForEnd();
    expect(errorEventOf(reader)).toMatchObject({
      error: {
        code: 'upstream_timeout',
        message: expect.stringContaining('did not finish its response within 10000 ms'),
      },
    });
    expect(reader.events.at(-1)).toBe('[DONE]');
    await ex.aborted;
  });

  it('gives up on a connection that is not made within the connect timeout', async () => {
    const clock = new ManualClock();
    const neverConnects = {
      dispatch: () => true,
      close: () => Promise.resolve(),
      destroy: () => Promise.resolve(),
    };
    const t = await startTestProxy({
      models: [
        remoteModel('cloud', 'http://127.0.0.1:9/v1', {
          timeouts: { ...roomyTimeouts, connectMs: 2_000 },
        }),
      ],
      clock,
      createPool: () => neverConnects as never,
    });
    cleanups.push(() => t.close());
    const { response } = open(t.url, '/v1/chat/completions', {
      body: { model: 'cloud', messages: [] },
    });
    await waitUntil(() => t.poolsCreated.length === 1);
    clock.advance(2_000);
    const res = await response;
    expect(res.statusCode).toBe(504);
    const reader = new SseReader(res);
    await reader.waitForEnd();
    expect(JSON.parse(reader.raw)).toMatchObject({
      error: { code: 'upstream_timeout', message: expect.stringContaining('could not connect') },
    });
  });
});

describe('broken streams and aborts', () => {
  it('ends the stream with an explicit error event and [DONE] when the upstream breaks mid-stream', async () => {
    const { t, upstream } = await setup();
    const { response } = streamRequest(t);
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('before the break'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    // Half an event, then the connection dies: the half must not reach the client.
    ex.res.write('data: {"half-event-marker":');
    ex.res.socket?.destroy();
    await reader.waitForEnd();
    expect(reader.events).toHaveLength(3);
    expect(reader.raw).not.toContain('half-event-marker');
    expect(errorEventOf(reader)).toMatchObject({
      error: { code: 'stream_interrupted', type: 'server_error' },
    });
    expect(reader.events[2]).toBe('[DONE]');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({
      status: 200,
      stream: true,
      complete: false,
      error: 'STREAM_INTERRUPTED',
    });
  });

  it('aborts the upstream request at once and releases the lease when the client disconnects', async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
    const supervisor = new FakeSupervisor();
    supervisor.setReady('local', upstream.origin);
    const t = await startTestProxy({ models: [localModel('local')], supervisor });
    cleanups.push(() => t.close());
    const { req, response } = streamRequest(t, 'local');
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('first'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    const lease = supervisor.acquired[0]?.id;
    expect(lease).toBeDefined();
    expect(supervisor.released).not.toContain(lease);

    req.destroy();
    await ex.aborted;
    await supervisor.waitForRelease(lease as string);
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ clientClosed: true, complete: false });
  });

  it('aborts a non-streamed upstream request when the client disconnects before the answer', async () => {
    const { t, upstream } = await setup();
    const { req, response } = open(t.url, '/v1/chat/completions', {
      body: { model: 'cloud', messages: [] },
    });
    response.catch(() => {});
    const ex = await upstream.nextExchange();
    req.destroy();
    await ex.aborted;
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ clientClosed: true, status: 499 });
  });
});
