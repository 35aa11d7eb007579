import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import { minuteWindow, scopeLimitKeys } from '@mlx-gateway/shared/clients';
import type { ClientIdentity, LimitedScope } from '@mlx-gateway/shared/clients';
import { openAIClientFormat } from '../api/client-format.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { ClientLimiter } from './client-limiter.js';

const stores: StateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function embedded(): Promise<StateStore> {
  const store = await openStateStore({ keyPrefix: 'report:', whenDown: 'serve' });
  stores.push(store);
  return store;
}

const NOW = Date.UTC(2026, 2, 3, 10, 20, 30);
const MINUTE_END = '2026-03-03T10:21:00.000Z';

function limiterOn(store: StateStore): ClientLimiter {
  return new ClientLimiter({
    state: () => Promise.resolve(store),
    whenDown: 'serve',
    now: () => NOW,
    logger: new RecordingLogger(),
  });
}

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

const ci: ClientIdentity = { name: 'ci', limits: { rpm: 10, tpm: 1_000, concurrency: 2 } };
const gpt = { name: 'gpt', limits: { rpm: 100, budget: { tokens: 5_000, per: 'day' as const } } };
const scopes: LimitedScope[] = [
  { kind: 'client', name: 'ci', limits: ci.limits! },
  { kind: 'model', ...gpt },
];

describe('ClientLimiter.usage', () => {
  it("embedded store: reads the counts from the limiter's memory, in flight and settled", async () => {
    const limiter = limiterOn(await embedded());
    // Nothing counted yet: every limit at 0.
    const before = await limiter.usage(scopes);
    expect(before.store).toBe('embedded');
    expect(before.usage[0]).toEqual({
      rpm: { used: 0, limit: 10, resetAt: MINUTE_END },
      tpm: { used: 0, limit: 1_000, resetAt: MINUTE_END },
      concurrency: { used: 0, limit: 2 },
    });
    const first = await limiter.admit(ci, 300, response(), openAIClientFormat, gpt);
    await limiter.admit(ci, 200, response(), openAIClientFormat, gpt);
    await first!.settle(40); // 300 reserved, 40 used
    const after = await limiter.usage(scopes);
    expect(after.at).toBe(NOW);
    expect(after.usage).toEqual([
      {
        rpm: { used: 2, limit: 10, resetAt: MINUTE_END },
        tpm: { used: 240, limit: 1_000, resetAt: MINUTE_END },
        concurrency: { used: 1, limit: 2 },
      },
      {
        rpm: { used: 2, limit: 100, resetAt: MINUTE_END },
        budget: { used: 240, limit: 5_000, per: 'day', resetAt: '2026-03-04T00:00:00.000Z' },
      },
    ]);
  });

  it('a shared store: reads its counters under the keys the checks count in', async () => {
    const inner = await embedded();
    // The embedded store seen as Redis: the report reads it with counter() (no memory).
    const store: StateStore = Object.assign(Object.create(inner) as StateStore, {
      kind: 'redis' as const,
      health: () => 'ok' as const,
    });
    await inner.increment(scopeLimitKeys('client', 'ci').requests(minuteWindow(NOW)), 4, 60_000);
    await inner.increment(scopeLimitKeys('client', 'ci').inflight, 1, 60_000);
    const report = await limiterOn(store).usage(scopes.slice(0, 1));
    expect(report.store).toBe('redis');
    expect(report.usage[0]).toMatchObject({ rpm: { used: 4 }, concurrency: { used: 1 } });
  });

  it('waits (bounded) for a Redis store that is still connecting before reading it', async () => {
    const inner = await embedded();
    await inner.increment(scopeLimitKeys('client', 'ci').inflight, 2, 60_000);
    let health: 'ok' | 'down' = 'down';
    const listeners: Array<(h: 'ok' | 'down') => void> = [];
    let readWhileDown = 0;
    const connecting: StateStore = Object.assign(Object.create(inner) as StateStore, {
      kind: 'redis' as const,
      health: () => health,
      onHealthChange: (l: (h: 'ok' | 'down') => void) => listeners.push(l),
      counter: (key: string) => {
        if (health !== 'ok') readWhileDown++;
        return inner.counter(key);
      },
    });
    const report = limiterOn(connecting).usage(scopes.slice(0, 1));
    await new Promise((r) => setImmediate(r));
    expect(listeners).toHaveLength(1);
    health = 'ok';
    listeners[0]!('ok');
    expect((await report).usage[0]).toMatchObject({ concurrency: { used: 2 } });
    expect(readWhileDown).toBe(0);
  });

  it('rejects when the shared store cannot be read', async () => {
    const inner = await embedded();
    const store: StateStore = Object.assign(Object.create(inner) as StateStore, {
      kind: 'redis' as const,
      health: () => 'ok' as const,
      counter: () => Promise.reject(new Error('Connection is closed.')),
    });
    await expect(limiterOn(store).usage(scopes)).rejects.toThrow('Connection is closed.');
  });
});
