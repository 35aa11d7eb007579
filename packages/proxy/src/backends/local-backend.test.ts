import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { open, send } from '../testing/proxy-client.js';
import { localModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';
import { waitUntil } from '../testing/wait-until.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  supervisor: FakeSupervisor,
): Promise<{ t: TestProxy; upstream: FakeUpstream }> {
  const upstream = await FakeUpstream.start((ex) => jsonCompletion(ex, 'local answer'));
  cleanups.push(() => upstream.close());
  const t = await startTestProxy({
    models: [localModel('qwen', { upstreamModel: 'mlx-community/qwen' })],
    supervisor,
  });
  cleanups.push(() => t.close());
  return { t, upstream };
}

async function deadOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const chat = { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] };

describe('local backend', () => {
  it('makes no ensure call when the directory says the model is ready, and still takes a lease', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setReady('qwen', upstream.origin);
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(200);
    expect(res.text).toContain('local answer');
    expect(supervisor.ensureCalls).toHaveLength(0);
    expect(supervisor.acquired).toEqual([{ model: 'qwen', id: expect.any(String) }]);
    await supervisor.waitForRelease(supervisor.acquired[0]?.id as string);
    expect(upstream.exchanges[0]?.req.url).toBe('/v1/chat/completions');
    expect(upstream.exchanges[0]?.json['model']).toBe('mlx-community/qwen');
  });

  it('sends one acquire and one release for back-to-back requests to a ready model', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setReady('qwen', upstream.origin);
    for (let i = 0; i < 5; i++) {
      const res = await send(t.url, '/v1/chat/completions', { body: chat });
      expect(res.status).toBe(200);
    }
    const [first, ...more] = await Promise.all(
      Array.from({ length: 4 }, () => send(t.url, '/v1/chat/completions', { body: chat })),
    );
    expect([first?.status, ...more.map((r) => r.status)]).toEqual([200, 200, 200, 200]);
    expect(supervisor.acquired).toEqual([{ model: 'qwen', id: expect.any(String) }]);
    const lease = supervisor.acquired[0]?.id as string;
    // Released after the last request ended, once the linger time has passed.
    await supervisor.waitForRelease(lease);
    expect(supervisor.released).toEqual([lease]);
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('asks the supervisor to ensure a model that is not ready, with the lease in the same call', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setStopped('qwen');
    supervisor.onEnsure(() => Promise.resolve({ baseUrl: upstream.origin }));
    const res = await send(t.url, '/v1/embeddings', { body: { model: 'qwen', input: 'hello' } });
    expect(res.status).toBe(200);
    expect(upstream.exchanges[0]?.req.url).toBe('/v1/embeddings');
    expect(supervisor.ensureCalls).toHaveLength(1);
    const call = supervisor.ensureCalls[0];
    expect(call?.model).toBe('qwen');
    expect(call?.lease).toEqual({ id: expect.any(String), holder: expect.any(String) });
    expect(call?.options.timeoutMs).toBeGreaterThan(0);
    expect(supervisor.acquired).toHaveLength(0);
    await supervisor.waitForRelease(call?.lease?.id as string);
  });

  it('goes through ensure once when a model the directory calls ready refuses the connection', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setReady('qwen', await deadOrigin());
    supervisor.onEnsure(() => Promise.resolve({ baseUrl: upstream.origin }));
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(200);
    expect(res.text).toContain('local answer');
    expect(supervisor.ensureCalls).toHaveLength(1);
    // The stale attempt's lease is given back; the one taken by ensure is released at the end.
    const staleLease = supervisor.acquired[0]?.id as string;
    await supervisor.waitForRelease(staleLease);
    await supervisor.waitForRelease(supervisor.ensureCalls[0]?.lease?.id as string);
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('retries a stale directory entry only once', async () => {
    const supervisor = new FakeSupervisor();
    const { t } = await setup(supervisor);
    const dead = await deadOrigin();
    supervisor.setReady('qwen', dead);
    supervisor.onEnsure(() => Promise.resolve({ baseUrl: dead }));
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: 'upstream_unreachable' } });
    expect(supervisor.ensureCalls).toHaveLength(1);
  });

  it('releases the lease of a model start the client gave up on once the start completes', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setStopped('qwen');
    let ready: (value: { baseUrl: string }) => void = () => {};
    supervisor.onEnsure(() => new Promise((resolve) => (ready = resolve)));
    const { req, response } = open(t.url, '/v1/chat/completions', { body: chat });
    response.catch(() => {});
    await waitUntil(() => supervisor.ensureCalls.length === 1);
    req.destroy();
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ clientClosed: true, status: 499 });
    const lease = supervisor.ensureCalls[0]?.lease?.id as string;
    // The supervisor takes the lease only when the start completes: releasing it earlier
    // would leave it behind.
    expect(supervisor.released).not.toContain(lease);
    ready({ baseUrl: upstream.origin });
    await supervisor.waitForRelease(lease);
    expect(upstream.exchanges).toHaveLength(0);
  });

  it('sends one ensure for concurrent requests to a model that is starting; all are answered', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setStopped('qwen');
    const cue = supervisor.ensureOnCue();
    const replies = [1, 2, 3].map(() => send(t.url, '/v1/chat/completions', { body: chat }));
    // Each request looks the model up twice (ready? then cold start?) right before it waits.
    await waitUntil(() => supervisor.infoAsks.length === 6);
    cue.ready(upstream.origin);
    for (const res of await Promise.all(replies)) expect(res.status).toBe(200);
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(upstream.exchanges).toHaveLength(3);
    await waitUntil(() => supervisor.heldLeases.length === 0);
  });

  it('gives every request waiting on a failed start the error, in its own API format', async () => {
    const supervisor = new FakeSupervisor();
    const { t } = await setup(supervisor);
    supervisor.setStopped('qwen');
    const cue = supervisor.ensureOnCue();
    const openai = send(t.url, '/v1/chat/completions', { body: chat });
    const anthropic = send(t.url, '/v1/messages', {
      body: { model: 'qwen', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
    });
    // Both requests are waiting before the start fails (two lookups each right before).
    await waitUntil(() => supervisor.infoAsks.length === 4);
    cue.fail(new GatewayError(ErrorCodes.MODEL_START_FAILED, 'qwen exited while loading'));
    const [a, b] = await Promise.all([openai, anthropic]);
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(a.json).toMatchObject({ error: { code: 'model_start_failed' } });
    expect(b.json).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('qwen exited') },
    });
    expect(a.status).toBe(b.status);
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('answers 503 supervisor_unavailable when the supervisor cannot be reached', async () => {
    const supervisor = new FakeSupervisor();
    const { t } = await setup(supervisor);
    supervisor.onEnsure(() =>
      Promise.reject(
        new GatewayError(
          ErrorCodes.SUPERVISOR_UNAVAILABLE,
          'the model supervisor is not reachable',
        ),
      ),
    );
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: { code: 'supervisor_unavailable' } });
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('reports local model state from the directory on /v1/gateway/models', async () => {
    const supervisor = new FakeSupervisor();
    const { t, upstream } = await setup(supervisor);
    supervisor.setReady('qwen', upstream.origin);
    const res = await send(t.url, '/v1/gateway/models', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      object: 'list',
      data: [
        expect.objectContaining({
          name: 'qwen',
          kind: 'local',
          backend: 'mlx-openai-server',
          state: 'ready',
          pid: 4242,
          port: upstream.port,
          aliases: [],
          fallbacks: [],
          capabilities: expect.objectContaining({ chat: true }),
        }),
      ],
      providers: [],
      routing: { prefixes: [{ prefix: 'mlx/', provider: 'mlx', strip: true }], rules: [] },
    });
  });
});
