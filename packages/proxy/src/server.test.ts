import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSupervisor } from './testing/fake-supervisor.js';
import { FakeUpstream, chunkEvent, startSse } from './testing/fake-upstream.js';
import { SseReader, open, send } from './testing/proxy-client.js';
import { localModel } from './testing/test-config.js';
import { startTestProxy } from './testing/test-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(shutdownGraceMs: number) {
  const upstream = await FakeUpstream.start();
  cleanups.push(() => upstream.close());
  const supervisor = new FakeSupervisor();
  supervisor.setReady('local', upstream.origin);
  const t = await startTestProxy({ models: [localModel('local')], supervisor, shutdownGraceMs });
  cleanups.push(() => t.close());
  return { upstream, supervisor, t };
}

const streamBody = { model: 'local', messages: [{ role: 'user', content: 'hi' }], stream: true };

describe('startProxy', () => {
  it('listens on an OS-assigned port and reports the real one', async () => {
    const { t } = await setup(1_000);
    expect(t.proxy.port).toBeGreaterThan(0);
    expect(t.url).toBe(`http://127.0.0.1:${t.proxy.port}`);
    const health = await send(t.url, '/health', { method: 'GET' });
    expect(health.json).toEqual({ status: 'ok', supervisor: { reachable: true } });
  });

  it('keeps a connection usable after answering without reading the body (404, 405)', async () => {
    const { t } = await setup(1_000);
    const client = new Client(t.url, { pipelining: 0 });
    cleanups.push(() => client.close());
    const big = JSON.stringify({ model: 'local', pad: 'x'.repeat(200_000) });
    const unread = await client.request({ path: '/v1/nope', method: 'POST', body: big });
    expect(unread.statusCode).toBe(404);
    await unread.body.text();
    const wrongMethod = await client.request({ path: '/v1/models', method: 'POST', body: big });
    expect(wrongMethod.statusCode).toBe(405);
    await wrongMethod.body.text();
    const ok = await client.request({ path: '/health', method: 'GET' });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toMatchObject({ status: 'ok' });
  });

  it('lists every model name and alias on /v1/models in the OpenAI format', async () => {
    const supervisor = new FakeSupervisor();
    const t = await startTestProxy({
      models: [localModel('qwen-7b', { aliases: ['qwen', 'default'] }), localModel('llama')],
      supervisor,
    });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/models', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      object: 'list',
      data: ['qwen-7b', 'qwen', 'default', 'llama'].map((id) => ({
        id,
        object: 'model',
        created: expect.any(Number),
        owned_by: 'local',
      })),
    });
  });

  it('on close, lets a running stream finish, refuses new connections, and releases leases', async () => {
    const { upstream, supervisor, t } = await setup(10_000);
    const { response } = open(t.url, '/v1/chat/completions', { body: streamBody });
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('one'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);

    const closed = t.proxy.close();
    await expect(send(t.url, '/v1/models', { method: 'GET' })).rejects.toThrow(/ECONNREFUSED/);
    ex.res.end(`${chunkEvent('two')}data: [DONE]\n\n`);
    await reader.waitForEnd();
    expect(reader.events).toEqual([
      expect.stringContaining('one'),
      expect.stringContaining('two'),
      '[DONE]',
    ]);
    await closed;
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('on close, ends streams still running after the grace with an explicit error event', async () => {
    const { upstream, supervisor, t } = await setup(50);
    const { response } = open(t.url, '/v1/chat/completions', { body: streamBody });
    const ex = await upstream.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('one'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    await t.proxy.close();
    await reader.waitForEnd();
    expect(JSON.parse(reader.events[1] ?? '{}')).toMatchObject({
      error: { code: 'shutting_down' },
    });
    expect(reader.events[2]).toBe('[DONE]');
    await ex.aborted;
    expect(supervisor.heldLeases).toEqual([]);
  });
});
