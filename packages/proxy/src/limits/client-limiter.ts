import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import {
  INFLIGHT_TTL_MS,
  budgetWindow,
  limitKeys,
  minuteWindow,
  windowTtlMs,
} from '@mlx-gateway/shared/clients';
import type { ClientIdentity, ClientLimits, LimitWindow } from '@mlx-gateway/shared/clients';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { StateStore } from '@mlx-gateway/shared/state';
import type { ClientFormat } from '../api/client-format.js';
import type { ProxyLogger } from '../logging/logger.js';
import { MemoryCounters } from './memory-counters.js';
import type { CounterOp, CounterStore } from './memory-counters.js';
import { ScriptedCounters } from './scripted-counters.js';
import { setRateLimitHeaders } from './rate-limit-headers.js';
import type { LimitReading } from './rate-limit-headers.js';

export interface ClientLimiterOptions {
  /** The shared state store, opened on first use. */
  state: () => Promise<StateStore>;
  /** `state.whenDown`: serve unchecked (and log once), or refuse with 503. */
  whenDown: 'serve' | 'refuse';
  /**
   * Longest the first check waits for a Redis store that is still connecting (the store is
   * opened on first use); the command timeout. Later checks never wait for a connection.
   */
  connectWaitMs?: number;
  /** Wall-clock milliseconds (windows are UTC minutes, days and months). */
  now?: () => number;
  logger: ProxyLogger;
}

/** An admitted request's hold on its limits: settled once, when its answer is over. */
export interface LimitTicket {
  /**
   * Gives back the in-flight slot and corrects the reserved tokens by the usage, when known.
   * Once only; resolves when the store has it (never rejects: a lost correction is logged).
   */
  settle(usedTokens?: number): Promise<void>;
}

/** What one admission counted, to correct or undo it. */
interface Counted {
  client: string;
  limits: ClientLimits;
  reserve: number;
  minute: LimitWindow;
  budget: LimitWindow | undefined;
  requests?: number;
  tokens?: number;
  budgetUsed?: number;
  inflight?: number;
}

/**
 * Client-key limits (requests and tokens per minute, requests in flight, a token budget per day
 * or month) on the shared state store: one INCRBY per limit a key has, all sent together, so a
 * check costs one round trip to the store and several proxies on one Redis share the counts.
 * Over a limit the counts are given back and the request gets 429 with Retry-After and the
 * rate-limit headers of its API. A store that cannot be reached never holds a request past its
 * command timeout: the request is served unchecked or refused, as `state.whenDown` says.
 */
export class ClientLimiter {
  private readonly now: () => number;
  private downLogged = false;
  private opened: Promise<CounterStore> | undefined;
  /** Requests served unchecked because the store was down (reported in the log). */
  uncheckedCount = 0;

  constructor(private readonly options: ClientLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts a request against its key's limits, or throws 429 (RATE_LIMITED) / 503
   * (STATE_UNAVAILABLE). Undefined when there was nothing to count.
   */
  async admit(
    client: ClientIdentity | undefined,
    reserve: number,
    res: ServerResponse,
    format: ClientFormat,
  ): Promise<LimitTicket | undefined> {
    const limits = client?.limits;
    if (client === undefined || limits === undefined) return undefined;
    const now = this.now();
    const counted: Counted = {
      client: client.name,
      limits,
      reserve,
      minute: minuteWindow(now),
      budget: limits.budget === undefined ? undefined : budgetWindow(limits.budget.per, now),
    };
    let store: CounterStore;
    try {
      store = await (this.opened ??= this.open().catch((err: unknown) => {
        this.opened = undefined; // tried again on the next request
        throw err;
      }));
      await this.count(store, counted, now);
    } catch (err) {
      return this.storeDown(err);
    }
    this.downLogged = false;
    const over = this.overLimit(counted, now);
    this.setHeaders(res, format, counted, now);
    if (over !== undefined) {
      this.undo(store, counted, true);
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(over.retryAfterMs / 1000))));
      throw new GatewayError(ErrorCodes.RATE_LIMITED, over.message);
    }
    let settled = false;
    return {
      settle: (usedTokens) => {
        if (settled) return Promise.resolve();
        settled = true;
        return this.settle(store, counted, usedTokens);
      },
    };
  }

  /**
   * Where the counts go: process memory with the embedded store (it is this process's alone,
   * and memory-counters.ts says why), else the store, once connected or after `connectWaitMs`
   * (then a check fails fast, as when it is down).
   */
  private async open(): Promise<CounterStore> {
    const store = await this.options.state();
    if (store.kind === 'embedded') return new MemoryCounters(this.now);
    const counters = new ScriptedCounters(store);
    if (store.health() === 'ok') return counters;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.connectWaitMs ?? 250);
      timer.unref();
      store.onHealthChange((health) => {
        if (health !== 'ok') return;
        clearTimeout(timer);
        resolve();
      });
    });
    return counters;
  }

  /** One increment per limit the key has, in one step when the store can (a Redis script). */
  private async count(store: CounterStore, c: Counted, now: number): Promise<void> {
    const { limits, client, minute, budget } = c;
    const minuteTtl = windowTtlMs(minute, now);
    const ops: CounterOp[] = [];
    const at = { requests: -1, tokens: -1, budget: -1, inflight: -1 };
    if (limits.rpm !== undefined) {
      at.requests =
        ops.push({ key: limitKeys.requests(client, minute), by: 1, ttlMs: minuteTtl }) - 1;
    }
    if (limits.tpm !== undefined) {
      at.tokens =
        ops.push({ key: limitKeys.tokens(client, minute), by: c.reserve, ttlMs: minuteTtl }) - 1;
    }
    if (budget !== undefined) {
      const ttlMs = windowTtlMs(budget, now);
      at.budget = ops.push({ key: limitKeys.budget(client, budget), by: c.reserve, ttlMs }) - 1;
    }
    if (limits.concurrency !== undefined) {
      at.inflight =
        ops.push({ key: limitKeys.inflight(client), by: 1, ttlMs: INFLIGHT_TTL_MS }) - 1;
    }
    const values =
      store.incrementMany !== undefined
        ? await store.incrementMany(ops)
        : await Promise.all(ops.map((op) => store.increment(op.key, op.by, op.ttlMs)));
    if (at.requests >= 0) c.requests = values[at.requests];
    if (at.tokens >= 0) c.tokens = values[at.tokens];
    if (at.budget >= 0) c.budgetUsed = values[at.budget];
    if (at.inflight >= 0) c.inflight = values[at.inflight];
  }

  /** The first limit the counts went over, with how long until it frees up. */
  private overLimit(
    c: Counted,
    now: number,
  ): { message: string; retryAfterMs: number } | undefined {
    const { limits } = c;
    const untilMinute = c.minute.resetAt - now;
    if (limits.rpm !== undefined && c.requests !== undefined && c.requests > limits.rpm) {
      return {
        message: `rate limit reached for client key "${c.client}": ${limits.rpm} requests per minute`,
        retryAfterMs: untilMinute,
      };
    }
    if (limits.tpm !== undefined && c.tokens !== undefined && c.tokens > limits.tpm) {
      const alone = c.reserve > limits.tpm;
      return {
        message: alone
          ? `request too large for client key "${c.client}": it may use ${c.reserve} tokens (max_tokens and input), the limit is ${limits.tpm} tokens per minute`
          : `rate limit reached for client key "${c.client}": ${limits.tpm} tokens per minute`,
        retryAfterMs: untilMinute,
      };
    }
    const budget = limits.budget;
    if (budget !== undefined && c.budget !== undefined && (c.budgetUsed ?? 0) > budget.tokens) {
      return {
        message: `token budget exhausted for client key "${c.client}": ${budget.tokens} tokens per ${budget.per}`,
        retryAfterMs: c.budget.resetAt - now,
      };
    }
    if (limits.concurrency !== undefined && (c.inflight ?? 0) > limits.concurrency) {
      return {
        message: `too many concurrent requests for client key "${c.client}": at most ${limits.concurrency} at once`,
        retryAfterMs: 1_000,
      };
    }
    return undefined;
  }

  private setHeaders(res: ServerResponse, format: ClientFormat, c: Counted, now: number): void {
    const { limits } = c;
    const requests: LimitReading | undefined =
      limits.rpm === undefined
        ? undefined
        : {
            limit: limits.rpm,
            remaining: limits.rpm - (c.requests ?? 0),
            resetAt: c.minute.resetAt,
          };
    const tokens: LimitReading | undefined =
      limits.tpm === undefined
        ? undefined
        : { limit: limits.tpm, remaining: limits.tpm - (c.tokens ?? 0), resetAt: c.minute.resetAt };
    setRateLimitHeaders(res, format, now, requests, tokens);
  }

  /** Takes back what an admission counted: everything on a refusal, the slot at the end. */
  private undo(store: CounterStore, c: Counted, refused: boolean): void {
    const writes: Promise<unknown>[] = [];
    if (refused) {
      if (c.requests !== undefined) {
        writes.push(store.increment(limitKeys.requests(c.client, c.minute), -1, 60_000));
      }
      this.correctTokens(store, c, -c.reserve, writes);
    }
    if (c.inflight !== undefined) writes.push(this.release(store, c.client));
    void Promise.all(writes).catch((err: unknown) => this.logLost(err));
  }

  private async settle(store: CounterStore, c: Counted, usedTokens: number | undefined) {
    const writes: Promise<unknown>[] = [];
    if (usedTokens !== undefined) this.correctTokens(store, c, usedTokens - c.reserve, writes);
    if (c.inflight !== undefined) writes.push(this.release(store, c.client));
    await Promise.all(writes).catch((err: unknown) => this.logLost(err));
  }

  private correctTokens(store: CounterStore, c: Counted, delta: number, into: Promise<unknown>[]) {
    if (delta === 0) return;
    // The counters exist (the admission created them): the TTL given here is never used.
    if (c.tokens !== undefined) {
      into.push(store.increment(limitKeys.tokens(c.client, c.minute), delta, 60_000));
    }
    if (c.budgetUsed !== undefined && c.budget !== undefined) {
      into.push(store.increment(limitKeys.budget(c.client, c.budget), delta, 60_000));
    }
  }

  /** Gives back an in-flight slot; a counter that expired under it is brought back to 0. */
  private async release(store: CounterStore, client: string): Promise<void> {
    const key = limitKeys.inflight(client);
    const left = await store.increment(key, -1, INFLIGHT_TTL_MS);
    if (left < 0) await store.increment(key, -left, INFLIGHT_TTL_MS);
  }

  private storeDown(err: unknown): undefined {
    if (this.options.whenDown === 'refuse') {
      throw new GatewayError(
        ErrorCodes.STATE_UNAVAILABLE,
        'the gateway cannot check client-key limits: its state store is unreachable (state.whenDown: refuse); try again shortly',
      );
    }
    this.uncheckedCount++;
    if (!this.downLogged) {
      this.downLogged = true;
      this.options.logger.warn(
        { component: 'limits', error: err instanceof Error ? err.message : String(err) },
        'state store unreachable: serving requests without checking client-key limits (state.whenDown: serve)',
      );
    }
    return undefined;
  }

  private logLost(err: unknown): void {
    this.options.logger.debug(
      { component: 'limits', error: err instanceof Error ? err.message : String(err) },
      'a limit counter could not be corrected (state store unreachable)',
    );
  }
}
