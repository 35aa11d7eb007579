import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ClientLimits } from '@mlx-gateway/shared/clients';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import { anthropicClientFormat, openAIClientFormat } from '../api/client-format.js';
import type { ClientFormat } from '../api/client-format.js';
import type { Resolution, Target } from '../routing/target.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { asShared } from '../testing/shared-store-double.js';
import { remoteModel } from '../testing/test-config.js';
import { ClientLimiter } from './client-limiter.js';
import type { LimitTicket } from './client-limiter.js';
import { FallbackLimits } from './fallback-limits.js';
import type { AttemptAdmission } from './fallback-limits.js';

const stores: StateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function embedded(): Promise<StateStore> {
  const store = await openStateStore({ keyPrefix: 'fallback-lim:', whenDown: 'serve' });
  stores.push(store);
  return store;
}

function response(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()));
}

function target(name: string, limits?: ClientLimits): Target {
  const model = remoteModel(name, 'http://127.0.0.1:1/v1', limits ? { limits } : {});
  return { name, model, upstreamModel: name };
}

const chain = (...targets: Target[]): Resolution => ({
  requested: targets[0]!.name,
  matchedBy: 'exact',
  targets,
});

/** 20 s into a UTC minute: a minute window has 40 s left. */
const NOW = Date.UTC(2026, 2, 3, 10, 15, 20);

function limiterOn(state: () => Promise<StateStore>, whenDown: 'serve' | 'refuse' = 'serve') {
  return new ClientLimiter({ state, whenDown, now: () => NOW, logger: new RecordingLogger() });
}

interface Setup {
  limits: FallbackLimits;
  res: ServerResponse;
  usage: { usedTokens: number | undefined };
}

function fallbackLimits(
  limiter: ClientLimiter,
  resolution: Resolution,
  format: ClientFormat = openAIClientFormat,
  reserve = 100,
): Setup {
  const res = response();
  const usage: { usedTokens: number | undefined } = { usedTokens: undefined };
  const limits = new FallbackLimits({ limiter, resolution, reserve, res, format, usage });
  return { limits, res, usage };
}

const isTicket = (a: AttemptAdmission): a is LimitTicket =>
  a !== undefined && !(a instanceof GatewayError);

describe('FallbackLimits', () => {
  it('is needed only for a fallback served by another model with limits of its own', () => {
    const primary = target('primary', { rpm: 5 });
    expect(FallbackLimits.needed(chain(primary))).toBe(false);
    expect(FallbackLimits.needed(chain(primary, target('free')))).toBe(false);
    // The primary's model again (another route to it): counted with the request already.
    expect(FallbackLimits.needed(chain(primary, { ...primary, name: 'alias' }))).toBe(false);
    expect(FallbackLimits.needed(chain(target('free'), target('backup', { rpm: 2 })))).toBe(true);
  });

  it('counts nothing, synchronously, for a target without limits or the model counted already', async () => {
    const primary = target('primary', { rpm: 1 });
    const free = target('free');
    const { limits, res } = fallbackLimits(
      limiterOn(embedded),
      chain(primary, free, target('backup', { rpm: 1 })),
    );
    expect(limits.admit(primary)).toBeUndefined();
    expect(limits.admit(free)).toBeUndefined();
    expect(res.getHeaderNames()).toEqual([]);
  });

  it('admits a fallback against its model only, synchronously on the embedded store, and refuses it over the limit', async () => {
    const backup = target('backup', { rpm: 2 });
    const limiter = limiterOn(embedded);
    const resolution = chain(target('primary'), backup);
    // The first check opens the counters (a promise once); every later one is synchronous.
    const opening = fallbackLimits(limiter, resolution);
    expect(isTicket(await opening.limits.admit(backup))).toBe(true);
    const { limits, res } = fallbackLimits(limiter, resolution);
    const second = limits.admit(backup);
    expect(second).not.toBeInstanceOf(Promise);
    expect(isTicket(second as AttemptAdmission)).toBe(true);
    expect(res.getHeader('x-ratelimit-limit-requests')).toBe('2');
    expect(res.getHeader('x-ratelimit-remaining-requests')).toBe('0');
    const third = fallbackLimits(limiter, resolution);
    const refused = third.limits.admit(backup);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe(ErrorCodes.RATE_LIMITED);
    expect((refused as GatewayError).message).toBe(
      'rate limit reached for model "backup": 2 requests per minute',
    );
    // Nothing on the response while the chain may still go on to another target.
    expect(third.res.getHeaderNames()).toEqual([]);
    third.limits.ending(new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'another failure'));
    expect(third.res.getHeaderNames()).toEqual([]);
    // The chain ended on the refusal: its 429 carries the check's Retry-After and headers.
    third.limits.ending(refused as GatewayError);
    expect(third.res.getHeader('retry-after')).toBe('40');
    expect(third.res.getHeader('x-ratelimit-limit-requests')).toBe('2');
    expect(third.res.getHeader('x-ratelimit-remaining-requests')).toBe('0');
    expect(third.res.getHeader('x-ratelimit-reset-requests')).toBe('40s');
  });

  it("keeps the tighter headers: the fallback's where it has fewer left than the key's", async () => {
    const backup = target('backup', { rpm: 3, tpm: 10_000 });
    const resolution = chain(target('primary'), backup);
    const limiter = limiterOn(embedded);
    const { limits, res } = fallbackLimits(limiter, resolution, anthropicClientFormat);
    // What the key's check put there: 5 requests left of 10, 1 token of 2.
    res.setHeader('anthropic-ratelimit-requests-limit', '10');
    res.setHeader('anthropic-ratelimit-requests-remaining', '5');
    res.setHeader('anthropic-ratelimit-tokens-limit', '2');
    res.setHeader('anthropic-ratelimit-tokens-remaining', '1');
    expect(isTicket(await limits.admit(backup))).toBe(true);
    expect(res.getHeader('anthropic-ratelimit-requests-limit')).toBe('3');
    expect(res.getHeader('anthropic-ratelimit-requests-remaining')).toBe('2');
    expect(res.getHeader('anthropic-ratelimit-requests-reset')).toBe('2026-03-03T10:16:00Z');
    expect(res.getHeader('anthropic-ratelimit-tokens-limit')).toBe('2');
    expect(res.getHeader('anthropic-ratelimit-tokens-remaining')).toBe('1');
  });

  it('settles the reserved tokens from the usage when the answer ends, and the slot once', async () => {
    const backup = target('backup', { tpm: 1_000, concurrency: 1 });
    const resolution = chain(target('primary'), backup);
    const limiter = limiterOn(embedded);
    const first = fallbackLimits(limiter, resolution, openAIClientFormat, 900);
    const ticket = await first.limits.admit(backup);
    expect(isTicket(ticket)).toBe(true);
    expect(first.res.getHeader('x-ratelimit-remaining-tokens')).toBe('100');
    const busy = fallbackLimits(limiter, resolution).limits.admit(backup);
    expect((busy as GatewayError).message).toContain('at most 1 at once');
    first.usage.usedTokens = 30;
    first.res.emit('close');
    first.res.emit('close');
    // 30 used of the 900 reserved: 970 left, and the slot free again.
    const next = fallbackLimits(limiter, resolution, openAIClientFormat, 900);
    expect(isTicket(next.limits.admit(backup) as AttemptAdmission)).toBe(true);
    expect(next.res.getHeader('x-ratelimit-remaining-tokens')).toBe('70');
  });

  it('on a shared store an admission is a promise: admitted, refused, counted in the store', async () => {
    const state = asShared(await embedded());
    const backup = target('backup', { rpm: 1, concurrency: 1 });
    const resolution = chain(target('primary'), backup);
    const limiter = limiterOn(() => Promise.resolve(state));
    const first = fallbackLimits(limiter, resolution);
    const admitted = first.limits.admit(backup);
    expect(admitted).toBeInstanceOf(Promise);
    const ticket = await admitted;
    expect(isTicket(ticket)).toBe(true);
    expect(await state.counter('model-limits:backup:inflight')).toBe(1);
    const second = fallbackLimits(limiter, resolution);
    const refused = second.limits.admit(backup);
    expect(refused).toBeInstanceOf(Promise);
    const error = await refused;
    expect(error).toBeInstanceOf(GatewayError);
    second.limits.ending(error as GatewayError);
    expect(second.res.getHeader('retry-after')).toBe('40');
    await (ticket as LimitTicket).settle();
    expect(await state.counter('model-limits:backup:inflight')).toBe(0);
  });

  it('a store that cannot be reached: the fallback served unchecked (serve) or refused with 503 (refuse)', async () => {
    const backup = target('backup', { rpm: 1 });
    const resolution = chain(target('primary'), backup);
    const down = (): Promise<StateStore> => Promise.reject(new Error('connect ECONNREFUSED'));
    const serve = fallbackLimits(limiterOn(down, 'serve'), resolution);
    expect(await serve.limits.admit(backup)).toBeUndefined();
    const refuse = fallbackLimits(limiterOn(down, 'refuse'), resolution);
    const error = await refuse.limits.admit(backup);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(ErrorCodes.STATE_UNAVAILABLE);
  });
});
