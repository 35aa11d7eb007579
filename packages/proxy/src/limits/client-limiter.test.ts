import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import { anthropicClientFormat, openAIClientFormat } from '../api/client-format.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { asShared } from '../testing/shared-store-double.js';
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

/** The error an admission throws (at once on the in-memory counters, later on a store). */
async function refused(admit: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await admit();
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
    const err = await refused(() => limits.admit(client, 0, res, openAIClientFormat));
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
    expect(
      (await refused(() => limits.admit(daily, 800, res, openAIClientFormat))).message,
    ).toContain('1000 tokens per day');
    expect(res.getHeader('retry-after')).toBe('30');
    await refused(() => limits.admit(monthly, 800, response(), openAIClientFormat));
    clock.now += 31_000; // 2026-02-01T00:00:01Z: a new day and a new month
    await limits.admit(daily, 800, response(), openAIClientFormat);
    await limits.admit(monthly, 800, response(), openAIClientFormat);
    clock.now += 86_400_000; // a day later: the daily budget is new, the monthly one is not
    await limits.admit(daily, 800, response(), openAIClientFormat);
    await refused(() => limits.admit(monthly, 800, response(), openAIClientFormat));
  });

  it('settles reserved tokens against the usage and gives the in-flight slot back once', async () => {
    const state = asShared(await embedded());
    const { limits } = await limiter(state);
    const client = key({ tpm: 1_000, concurrency: 1 });
    const ticket = await limits.admit(client, 900, response(), openAIClientFormat);
    expect(
      (await refused(() => limits.admit(client, 50, response(), openAIClientFormat))).code,
    ).toBe('RATE_LIMITED');
    await ticket!.settle(100);
    await ticket!.settle(100);
    // 100 used of 1000: 850 more fit, and the slot is free again (given back once only).
    const next = await limits.admit(client, 850, response(), openAIClientFormat);
    expect(next).toBeDefined();
    expect(await state.counter('limits:app:inflight')).toBe(1);
  });

  it('a store that fails: served unchecked and logged once (serve), or 503 (refuse)', async () => {
    const broken = asShared(await embedded());
    broken.script = () => ({ run: () => Promise.reject(new Error('Connection is closed.')) });
    const serve = await limiter(broken, 'serve');
    expect(await serve.limits.admit(key({ rpm: 1 }), 0, response(), openAIClientFormat)).toBe(
      undefined,
    );
    await serve.limits.admit(key({ rpm: 1 }), 0, response(), openAIClientFormat);
    expect(serve.logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(serve.limits.uncheckedCount).toBe(2);
    const refuse = await limiter(broken, 'refuse');
    const err = await refused(() =>
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

  it('a model limit counts every caller of the model, keys or none, and names the model', async () => {
    const { limits, clock } = await limiter();
    const model = { name: 'gpt', limits: { rpm: 2 } };
    await limits.admit(key({ rpm: 100 }), 0, response(), openAIClientFormat, model);
    await limits.admit(undefined, 0, response(), openAIClientFormat, model);
    const res = response();
    const other: ClientIdentity = { name: 'other', limits: { rpm: 100 } };
    const err = await refused(() => limits.admit(other, 0, res, openAIClientFormat, model));
    expect(err.message).toBe('rate limit reached for model "gpt": 2 requests per minute');
    expect(res.getHeader('x-ratelimit-limit-requests')).toBe('2'); // the tighter limit
    expect(res.getHeader('x-ratelimit-remaining-requests')).toBe('0');
    expect(res.getHeader('retry-after')).toBe('30');
    // The refusal took nothing from the key: it has 99 requests left, the model none.
    const keyOnly = response();
    await limits.admit(other, 0, keyOnly, openAIClientFormat, { name: 'free' });
    expect(keyOnly.getHeader('x-ratelimit-remaining-requests')).toBe('99');
    clock.now += 30_000; // the next minute
    await limits.admit(other, 0, response(), openAIClientFormat, model);
  });

  it('a request must pass both: the key refuses first, then the model', async () => {
    const { limits } = await limiter();
    const client = key({ concurrency: 1 });
    const model = { name: 'qwen', limits: { concurrency: 1 } };
    const first = await limits.admit(client, 0, response(), anthropicClientFormat, model);
    const byKey = await refused(() =>
      limits.admit(client, 0, response(), anthropicClientFormat, model),
    );
    expect(byKey.message).toContain('client key "app": at most 1 at once');
    const byModel = await refused(() =>
      limits.admit(undefined, 0, response(), anthropicClientFormat, model),
    );
    expect(byModel.message).toBe(
      'too many concurrent requests for model "qwen": at most 1 at once',
    );
    await first!.settle();
    await limits.admit(undefined, 0, response(), anthropicClientFormat, model);
  });

  it('model tokens per minute and budget on a shared store: one script call for both scopes', async () => {
    const state = asShared(await embedded());
    const runs: number[] = [];
    const script = state.script.bind(state);
    state.script = (name, lua, n) => {
      const inner = script(name, lua, n);
      return { run: (keys, args) => (runs.push(keys.length), inner.run(keys, args)) };
    };
    const { limits, clock } = await limiter(state);
    const client = key({
      rpm: 10,
      tpm: 10_000,
      concurrency: 5,
      budget: { tokens: 9_000, per: 'day' },
    });
    const model = {
      name: 'm',
      limits: {
        rpm: 10,
        tpm: 1_000,
        concurrency: 5,
        budget: { tokens: 1_500, per: 'month' as const },
      },
    };
    const res = response();
    const ticket = await limits.admit(client, 700, res, anthropicClientFormat, model);
    expect(runs).toEqual([8]);
    expect(res.getHeader('anthropic-ratelimit-tokens-limit')).toBe('1000');
    expect(res.getHeader('anthropic-ratelimit-tokens-remaining')).toBe('300');
    const tpm = await refused(() =>
      limits.admit(client, 400, response(), anthropicClientFormat, model),
    );
    expect(tpm.message).toBe('rate limit reached for model "m": 1000 tokens per minute');
    await ticket!.settle(200); // 700 reserved, 200 used: both scopes corrected in one call
    // The check, the refused check, then its undo and the settlement together (8 counters).
    expect(runs).toEqual([8, 8, 8]);
    expect(await state.counter('model-limits:m:inflight')).toBe(0);
    expect(await state.counter('limits:app:inflight')).toBe(0);
    // A monthly model budget: refused at 1600 of 1500, new on the first of the month.
    const monthly = { name: 'b', limits: { budget: { tokens: 1_500, per: 'month' as const } } };
    await limits.admit(undefined, 800, response(), anthropicClientFormat, monthly);
    const budget = await refused(() =>
      limits.admit(undefined, 800, response(), anthropicClientFormat, monthly),
    );
    expect(budget.message).toBe('token budget exhausted for model "b": 1500 tokens per month');
    clock.now += 30_000; // 2026-02-01T00:00:00Z
    await limits.admit(undefined, 800, response(), anthropicClientFormat, monthly);
  });

  it('a key without limits and a model without limits cost nothing and set no header', async () => {
    const { limits } = await limiter();
    const res = response();
    expect(
      limits.admit({ name: 'free' }, 10, res, openAIClientFormat, { name: 'm' }),
    ).toBeUndefined();
    expect(res.getHeaderNames()).toEqual([]);
  });
});
