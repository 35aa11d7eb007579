import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../http/app-env.js';
import { send } from '../testing/proxy-client.js';
import { localModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import { DEBUG_HEAP_ENV, isLoopbackAddress, registerDebugHeapRoute } from './debug-heap-route.js';

function appWith(env: Record<string, string | undefined>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  registerDebugHeapRoute(app, env);
  return app;
}

const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('GET /debug/heap', () => {
  it('does not exist unless MLX_GATEWAY_DEBUG_HEAP=1', async () => {
    for (const value of [undefined, '', '0', 'true']) {
      const res = await appWith({ [DEBUG_HEAP_ENV]: value }).request(
        '/debug/heap',
        {},
        from('127.0.0.1'),
      );
      expect(res.status).toBe(404);
    }
  });

  it('answers a loopback client with the memory usage after a collection when gc is exposed', async () => {
    const app = appWith({ [DEBUG_HEAP_ENV]: '1' });
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await app.request('/debug/heap', {}, from(address));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { gc: boolean; memory: Record<string, number> };
      expect(body.gc).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
      expect(body.memory.heapUsed).toBeGreaterThan(0);
      expect(body.memory.rss).toBeGreaterThanOrEqual(body.memory.heapUsed ?? 0);
    }
  });

  it('is a 404 for a client that is not on the loopback interface', async () => {
    const app = appWith({ [DEBUG_HEAP_ENV]: '1' });
    for (const address of ['192.168.1.5', '10.0.0.1', '::ffff:10.0.0.1', 'fe80::1']) {
      expect((await app.request('/debug/heap', {}, from(address))).status).toBe(404);
    }
  });

  it('is registered by the proxy app only when the variable is set', async () => {
    const off = await startTestProxy({ models: [localModel('local')] });
    cleanups.push(() => off.close());
    const missing = await send(off.url, '/debug/heap', { method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'not_found' } });

    vi.stubEnv(DEBUG_HEAP_ENV, '1');
    const on = await startTestProxy({ models: [localModel('local')] });
    cleanups.push(() => on.close());
    const res = await send(on.url, '/debug/heap', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ memory: { heapUsed: expect.any(Number) } });
  });
});

describe('isLoopbackAddress', () => {
  it('accepts 127/8 and ::1 in every form and nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      [undefined, '', '0.0.0.0', '::', '128.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1'].map(
        isLoopbackAddress,
      ),
    ).toEqual([false, false, false, false, false, false, false]);
  });
});
