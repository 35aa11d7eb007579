import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('upstream connection pools', () => {
  it('creates one pool per origin and reuses its keep-alive connection across requests', async () => {
    const shared = await FakeUpstream.start((ex) => jsonCompletion(ex));
    const other = await FakeUpstream.start((ex) => jsonCompletion(ex));
    cleanups.push(
      () => shared.close(),
      () => other.close(),
    );
    const t = await startTestProxy({
      models: [
        remoteModel('a', `${shared.origin}/v1`),
        remoteModel('b', `${shared.origin}/v1`),
        remoteModel('c', `${other.origin}/v1`),
      ],
    });
    cleanups.push(() => t.close());

    for (let i = 0; i < 20; i++) {
      const res = await send(t.url, '/v1/chat/completions', {
        body: { model: i % 2 === 0 ? 'a' : 'b', messages: [] },
      });
      expect(res.status).toBe(200);
    }
    await send(t.url, '/v1/chat/completions', { body: { model: 'c', messages: [] } });

    expect(t.poolsCreated).toEqual([shared.origin, other.origin]);
    expect(shared.exchanges).toHaveLength(20);
    expect(shared.connections).toBe(1);
  });

  it('runs concurrent requests over at most the configured number of connections', async () => {
    const upstream = await FakeUpstream.start();
    cleanups.push(() => upstream.close());
    const t = await startTestProxy({
      models: [remoteModel('a', `${upstream.origin}/v1`)],
      proxy: { pool: { connections: 2, keepAliveTimeoutMs: 4_000 } },
    });
    cleanups.push(() => t.close());
    const pending = Array.from({ length: 6 }, () =>
      send(t.url, '/v1/chat/completions', { body: { model: 'a', messages: [] } }),
    );
    // Answer requests as they arrive: never more than two are at the upstream at once.
    for (let i = 0; i < 6; i++) {
      const ex = await upstream.nextExchange();
      expect(upstream.connections).toBeLessThanOrEqual(2);
      jsonCompletion(ex);
    }
    const results = await Promise.all(pending);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(upstream.connections).toBe(2);
  });
});
