import type { Dispatcher, Pool } from 'undici';
import { Pool as UndiciPool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type GatewayConfig } from '@mlx-gateway/shared/config';
import { startProxy, type RunningProxy } from './server.js';
import { FakeSupervisor } from './testing/fake-supervisor.js';
import { FakeUpstream, chunkEvent, jsonCompletion, startSse } from './testing/fake-upstream.js';
import { SseReader, open, send } from './testing/proxy-client.js';
import { RecordingLogger } from './testing/recording-logger.js';
import { gatewayConfig, localModel } from './testing/test-config.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

async function setup() {
  const first = await FakeUpstream.start();
  const second = await FakeUpstream.start();
  cleanups.push(
    () => first.close(),
    () => second.close(),
  );
  const supervisor = new FakeSupervisor();
  supervisor.setReady('old', first.origin);
  supervisor.setReady('new', second.origin);
  let next: GatewayConfig | Error = gatewayConfig([localModel('old')]);
  const closedPools: string[] = [];
  const proxy: RunningProxy = await startProxy({
    config: gatewayConfig([localModel('old')]),
    supervisor,
    logger: new RecordingLogger(),
    shutdownGraceMs: 1_000,
    readConfig: () => {
      if (next instanceof Error) throw next;
      return next;
    },
    createPool: (origin: string, options: Pool.Options): Dispatcher => {
      const pool = new UndiciPool(origin, options);
      const close = pool.close.bind(pool) as () => Promise<void>;
      // The promise form only (undici's close calls itself again with a callback).
      return Object.assign(pool, {
        close: (...args: unknown[]) => {
          if (args.length === 0) closedPools.push(origin);
          return (close as (...a: unknown[]) => Promise<void>)(...args);
        },
      });
    },
  });
  cleanups.push(() => proxy.close());
  return {
    first,
    second,
    proxy,
    closedPools,
    setNext: (c: GatewayConfig | Error) => (next = c),
  };
}

describe('proxy config reload', () => {
  it('swaps routes at once; a stream in flight finishes on the set it started with', async () => {
    const { first, second, proxy, closedPools, setNext } = await setup();
    const { response } = open(proxy.url, '/v1/chat/completions', {
      body: chat('old', { stream: true }),
    });
    const ex = await first.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('one'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);

    setNext(gatewayConfig([localModel('new')], { bodyLimitBytes: 2_000 }));
    expect(await proxy.reloadConfig()).toEqual({ generation: 2 });

    // New requests see the new set: the removed model is unknown, the added one answers, and
    // the new body limit applies.
    expect((await send(proxy.url, '/v1/chat/completions', { body: chat('old') })).status).toBe(404);
    const answered = send(proxy.url, '/v1/chat/completions', { body: chat('new') });
    jsonCompletion(await second.nextExchange());
    expect((await answered).status).toBe(200);
    const big = chat('new', { pad: 'x'.repeat(3_000) });
    expect((await send(proxy.url, '/v1/chat/completions', { body: big })).status).toBe(413);

    // The old stream is untouched; its pools close only once it ended.
    expect(closedPools).toEqual([]);
    ex.res.end(`${chunkEvent('two')}data: [DONE]\n\n`);
    await reader.waitForEnd();
    expect(reader.events).toEqual([
      expect.stringContaining('one'),
      expect.stringContaining('two'),
      '[DONE]',
    ]);
    await expect.poll(() => closedPools).toEqual([first.origin]);
  });

  it('an invalid file changes nothing', async () => {
    const { first, proxy, setNext } = await setup();
    setNext(new ConfigError('config.yaml', [{ path: 'models.old.idleTimeout', message: 'bad' }]));
    await expect(proxy.reloadConfig()).rejects.toThrow(/models\.old\.idleTimeout/);
    const answered = send(proxy.url, '/v1/chat/completions', { body: chat('old') });
    jsonCompletion(await first.nextExchange());
    expect((await answered).status).toBe(200);
  });
});
