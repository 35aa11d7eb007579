import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import { anthropicClientFormat, openAIClientFormat } from '../api/client-format.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { ClientLimiter } from './client-limiter.js';

const stores: StateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function embedded(): Promise<StateStore> {
  const store = await openStateStore({ keyPrefix: 'lim:', whenDown: 'serve' });
  stores.push(store);
  return store;
}

/**
 * The embedded store seen as a shared one, so the limiter counts in it (not in its memory).
 * ioredis-mock's Lua returns no tables, so its one script (scripted-counters.ts: INCRBY each
 * key, `-` for an unused slot) is played here with the store's own increments; the real script
 * runs against redis-server in integration-tests/tests/limits-keys.test.ts.
 */
function asShared(store: StateStore): StateStore {
  const shared: StateStore = {
    kind: 'redis',
    health: () => store.health(),
    onHealthChange: (l) => store.onHealthChange(l),
    increment: (k, by, ttl) => store.increment(k, by, ttl),
    counter: (k) => store.counter(k),
    putDocument: (k, v, ttl) => store.putDocument(k, v, ttl),
    getDocument: (k) => store.getDocument(k),
    deleteDocument: (k) => store.deleteDocument(k),
    append: (st, v, n) => store.append(st, v, n),
    latest: (st, n, b) => store.latest(st, n, b),
    after: (st, a, n) => store.after(st, a, n),
    script: () => ({
      run: async (keys, args) => {
        const out: number[] = [];
        for (const [i, key] of keys.entries()) {
          const by = args[2 * i];
          const ttl = args[2 * i + 1];
          out.push(by === '-' ? 0 : await shared.increment(key, Number(by), Number(ttl)));
        }
        return out;
      },
    }),
    close: () => store.close(),
  };
  return shared;
}

function response(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()));
}

/** A limiter on a store, its wall clock moved by the test. */
async function limiter(store?: StateStore, whenDown: 'serve' | 'refuse' = 'serve') {
  const state = store ?? (await embedded());
  const clock = { now: Date.UTC(2026, 0, 31, 23, 59, 30) };
  const logger = new RecordingLogger();
  const limits = new ClientLimiter({
    state: () => Promise.resolve(state),
    whenDown,
    now: () => clock.now,
    logger,
  });
  return { limits, clock, logger, state };
}

const key = (limits: ClientIdentity['limits']): ClientIdentity => ({ name: 'app', limits });

async function refused(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('admitted');
}

describe('ClientLimiter', () => {
  it('counts requests per UTC minute and starts again in the next one', async () => {
    const { limits, clock } = await limiter();
    const client = key({ rpm: 2 });
    await limits.admit(client, 0, response(), openAIClientFormat);
    await limits.admit(client, 0, response(), openAIClientFormat);
    const res = response();
    const err = await refused(limits.admit(client, 0, res, openAIClientFormat));
    expect(err.code).toBe('RATE_LIMITED');
    expect(res.getHeader('retry-after')).toBe('30');
    expect(res.getHeader('x-ratelimit-remaining-requests')).toBe('0');
    expect(res.getHeader('x-ratelimit-reset-requests')).toBe('30s');
    clock.now += 30_000;
    const next = response();
    await limits.admit(client, 0, next, anthropicClientFormat);
    expect(next.getHeader('anthropic-ratelimit-requests-remaining')).toBe('1');
    expect(next.getHeader('anthropic-ratelimit-requests-reset')).toBe('2026-02-01T00:01:00Z');
  });

  it('a budget per day rolls over at UTC midnight, one per month on the first of the month', async () => {
    const { limits, clock } = await limiter();
    const daily = key({ budget: { tokens: 1_000, per: 'day' } });
    const monthly: ClientIdentity = {
      name: 'm',
      limits: { budget: { tokens: 1_000, per: 'month' } },
    };
    await limits.admit(daily, 800, response(), openAIClientFormat);
    await limits.admit(monthly, 800, response(), openAIClientFormat);
    const res = response();
    expect((await refused(limits.admit(daily, 800, res, openAIClientFormat))).message).toContain(
      '1000 tokens per day',
    );
    expect(res.getHeader('retry-after')).toBe('30');
    await refused(limits.admit(monthly, 800, response(), openAIClientFormat));
    clock.now += 31_000; // 2026-02-01T00:00:01Z: a new day and a new month
    await limits.admit(daily, 800, response(), openAIClientFormat);
    await limits.admit(monthly, 800, response(), openAIClientFormat);
    clock.now += 86_400_000; // a day later: the daily budget is new, the monthly one is not
    await limits.admit(daily, 800, response(), openAIClientFormat);
    await refused(limits.admit(monthly, 800, response(), openAIClientFormat));
  });

  it('settles reserved tokens against the usage and gives the in-flight slot back once', async () => {
    const state = asShared(await embedded());
    const { limits } = await limiter(state);
    const client = key({ tpm: 1_000, concurrency: 1 });
    const ticket = await limits.admit(client, 900, response(), openAIClientFormat);
    expect((await refused(limits.admit(client, 50, response(), openAIClientFormat))).code).toBe(
      'RATE_LIMITED',
    );
    await ticket!.settle(100);
    await ticket!.settle(100);
    // 100 used of 1000: 850 more fit, and the slot is free again (given back once only).
    const next = await limits.admit(client, 850, response(), openAIClientFormat);
    expect(next).toBeDefined();
    expect(await state.counter('limits:app:inflight')).toBe(1);
  });

  it('a store that fails: served unchecked and logged once (serve), or 503 (refuse)', async () => {
    const broken = asShared(await embedded());
    broken.increment = () => Promise.reject(new Error('Connection is closed.'));
    const serve = await limiter(broken, 'serve');
    expect(await serve.limits.admit(key({ rpm: 1 }), 0, response(), openAIClientFormat)).toBe(
      undefined,
    );
    await serve.limits.admit(key({ rpm: 1 }), 0, response(), openAIClientFormat);
    expect(serve.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(serve.limits.uncheckedCount).toBe(2);
    const refuse = await limiter(broken, 'refuse');
    const err = await refused(
      refuse.limits.admit(key({ rpm: 1 }), 0, response(), openAIClientFormat),
    );
    expect(err.code).toBe('STATE_UNAVAILABLE');
  });

  it('does nothing for a key without limits or a gateway without keys', async () => {
    const { limits } = await limiter();
    const res = response();
    expect(await limits.admit({ name: 'free' }, 10, res, openAIClientFormat)).toBeUndefined();
    expect(await limits.admit(undefined, 10, res, openAIClientFormat)).toBeUndefined();
    expect(res.getHeaderNames()).toEqual([]);
  });
});
