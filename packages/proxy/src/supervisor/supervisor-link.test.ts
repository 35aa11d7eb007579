import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlServer } from '@mlx-gateway/protocol';
import type { Command, ModelInfo } from '@mlx-gateway/protocol';
import { startProxy } from '../server.js';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { gatewayConfig, localModel, remoteModel } from '../testing/test-config.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

describe('proxy and supervisor over ZeroMQ', () => {
  it('starts while the supervisor is down, keeps remote models working, and recovers when it comes up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlx-proxy-link-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const upstream = await FakeUpstream.start((ex) =>
      jsonCompletion(ex, `answer for ${String(ex.json['model'])}`),
    );
    cleanups.push(() => upstream.close());

    const config = gatewayConfig(
      [localModel('local'), remoteModel('cloud', `${upstream.origin}/v1`)],
      { controlTimeoutMs: 300 },
    );
    config.supervisor.controlEndpoint = `ipc://${join(dir, 'control.sock')}`;
    config.supervisor.eventsEndpoint = `ipc://${join(dir, 'events.sock')}`;
    const proxy = await startProxy({ config });
    cleanups.push(() => proxy.close());

    const chat = { messages: [{ role: 'user', content: 'hi' }] };
    const remote = await send(proxy.url, '/v1/chat/completions', {
      body: { ...chat, model: 'cloud' },
    });
    expect(remote.status).toBe(200);
    const local = await send(proxy.url, '/v1/chat/completions', {
      body: { ...chat, model: 'local' },
    });
    expect(local.status).toBe(503);
    expect(local.json).toMatchObject({ error: { code: 'supervisor_unavailable' } });
    const health = await send(proxy.url, '/health', { method: 'GET' });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', supervisor: { reachable: false } });

    const info: ModelInfo = { name: 'local', state: 'stopped', since: Date.now(), leases: 0 };
    const server = new ControlServer({
      endpoint: config.supervisor.controlEndpoint,
      handler: (command: Command) => {
        switch (command.cmd) {
          case 'ping':
            return Promise.resolve({ incarnation: 'test', pid: process.pid, version: 1 });
          case 'status':
            return Promise.resolve({ incarnation: 'test', seq: 0, models: [info] });
          case 'ensure':
            return Promise.resolve({ ...info, state: 'ready', baseUrl: upstream.origin });
          case 'lease.acquire':
            return Promise.resolve({ id: command.id });
          case 'lease.release':
            return Promise.resolve({ released: true });
          case 'lease.renew':
            return Promise.resolve({ renewed: 0, ttlMs: 60_000 });
          default:
            return Promise.reject(new Error(`unexpected ${command.cmd}`));
        }
      },
    });
    await server.start();
    cleanups.push(() => server.close());

    await until(async () => {
      const res = await send(proxy.url, '/health', { method: 'GET' });
      return (res.json['supervisor'] as { reachable: boolean }).reachable;
    });
    const recovered = await send(proxy.url, '/v1/chat/completions', {
      body: { ...chat, model: 'local' },
    });
    expect(recovered.status).toBe(200);
    expect(recovered.text).toContain('answer for local');
  });
});
