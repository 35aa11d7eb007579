import { ErrorCodes } from '@mlx-gateway/protocol';
import type { ClientIdentity, ClientLimits, LimitedScope } from '@mlx-gateway/shared/clients';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { StateStore } from '@mlx-gateway/shared/state';
import type { ClientFormat } from '../api/client-format.js';
import type { ProxyLogger } from '../logging/logger.js';
import { LimitScopes, type LimitScope } from './limit-scope.js';
import { MemoryCounters } from './memory-counters.js';
import type { AdjustOp, CounterStore } from './memory-counters.js';
import { BatchedCounters } from './batched-counters.js';
import { MAX_OPS, ScriptedCounters } from './scripted-counters.js';
import { setRateLimitHeaders, type HeaderSink } from './rate-limit-headers.js';
import { plan, settleOps, undoOps, type Check } from './limit-check.js';
import { limitUsageReport, type LimitUsageReport } from './limit-usage-report.js';

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

/** The model a request is for, with its `limits:` when it has some. */
export interface LimitedModel {
  name: string;
  limits?: ClientLimits;
}

/** An admitted request's hold on its limits: settled once, when its answer is over. */
export interface LimitTicket {
  /**
   * Gives back the in-flight slots and corrects the reserved tokens by the usage, when known
   * (`modelAnswered` false: a fallback answered, the model's own reservation stays). Once only;
   * resolves when the store has it (never rejects: a lost correction is logged).
   */
  settle(usedTokens?: number, modelAnswered?: boolean): Promise<void>;
}

type Result = LimitTicket | undefined;

/**
 * The limits a request meets: its client key's and its model's (requests and tokens per
 * minute, requests in flight, a token budget per day or month). A request must pass both.
 * Every counter of both goes in one step (process memory on the embedded store, one Lua
 * script call on Redis), and the corrections when the answer is over in another. Over a limit
 * the counts are given back and the request gets 429 naming the key or model and the limit,
 * with Retry-After and the rate-limit headers of its API (the tighter of the two where both
 * have one). A request with no limit to meet costs nothing. A store that cannot be reached
 * never holds a request past its command timeout: the request is served unchecked or refused,
 * as `state.whenDown` says.
 */
export class ClientLimiter {
  private readonly now: () => number;
  private readonly scopes = new LimitScopes();
  private downLogged = false;
  private counters: CounterStore | undefined;
  private opened: Promise<CounterStore> | undefined;
  /** Requests served unchecked because the store was down (reported in the log). */
  uncheckedCount = 0;

  constructor(private readonly options: ClientLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts a request against its key's and its model's limits, or throws 429 (RATE_LIMITED) /
   * 503 (STATE_UNAVAILABLE). Undefined when there was nothing to count. Synchronous once the
   * counters are in process memory.
   */
  admit(
    client: ClientIdentity | undefined,
    reserve: number,
    res: HeaderSink,
    format: ClientFormat,
    model?: LimitedModel,
  ): Result | Promise<Result> {
    const clientLimits = client?.limits;
    const modelLimits = model?.limits;
    if (clientLimits === undefined && modelLimits === undefined) return undefined;
    const scopes: LimitScope[] = [];
    if (clientLimits !== undefined)
      scopes.push(this.scopes.for('client', client!.name, clientLimits));
    if (modelLimits !== undefined) scopes.push(this.scopes.for('model', model!.name, modelLimits));
    const check = plan(scopes, reserve, this.now());
    const counters = this.counters;
    if (counters === undefined) return this.admitFirst(check, res, format);
    let values: number[] | Promise<number[]>;
    try {
      values = counters.incrementMany(check.ops);
    } catch (err) {
      return this.storeDown(err);
    }
    if (!(values instanceof Promise)) return this.decide(counters, check, values, res, format);
    return values.then(
      (v) => this.decide(counters, check, v, res, format),
      (err: unknown) => this.storeDown(err),
    );
  }

  /** The first check opens the counters (and may wait for Redis up to `connectWaitMs`). */
  private async admitFirst(check: Check, res: HeaderSink, format: ClientFormat) {
    let counters: CounterStore;
    let values: number[];
    try {
      counters = await (this.opened ??= this.open().catch((err: unknown) => {
        this.opened = undefined; // tried again on the next request
        throw err;
      }));
      this.counters = counters;
      values = await counters.incrementMany(check.ops);
    } catch (err) {
      return this.storeDown(err);
    }
    return this.decide(counters, check, values, res, format);
  }

  /**
   * Where the counts go: process memory with the embedded store (it is this process's alone,
   * and memory-counters.ts says why), else the store, once connected or after `connectWaitMs`
   * (then a check fails fast, as when it is down).
   */
  private async open(): Promise<CounterStore> {
    const store = await this.options.state();
    if (store.kind === 'embedded') return new MemoryCounters(this.now);
    const counters = new BatchedCounters(new ScriptedCounters(store), { maxKeys: MAX_OPS });
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

  private decide(
    counters: CounterStore,
    check: Check,
    values: number[],
    res: HeaderSink,
    format: ClientFormat,
  ): LimitTicket {
    this.downLogged = false;
    check.values = values;
    const over = overLimit(check);
    setHeaders(res, format, check);
    if (over !== undefined) {
      void this.adjust(counters, undoOps(check));
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(over.retryAfterMs / 1000))));
      throw new GatewayError(ErrorCodes.RATE_LIMITED, over.message, {
        details: { limit: over.limit, scope: over.scope },
      });
    }
    return new Admission(this, counters, check);
  }

  /** @internal The corrections of a refusal or a settlement (Admission's). */
  adjust(counters: CounterStore, ops: AdjustOp[]): Promise<void> {
    if (ops.length === 0) return DONE;
    try {
      const done = counters.adjustMany(ops);
      return done instanceof Promise ? done.catch((err: unknown) => this.logLost(err)) : DONE;
    } catch (err) {
      this.logLost(err);
      return DONE;
    }
  }

  private storeDown(err: unknown): undefined {
    if (this.options.whenDown === 'refuse') {
      throw new GatewayError(
        ErrorCodes.STATE_UNAVAILABLE,
        'the gateway cannot check its limits: its state store is unreachable (state.whenDown: refuse); try again shortly',
      );
    }
    this.uncheckedCount++;
    if (!this.downLogged) {
      this.downLogged = true;
      this.options.logger.warn(
        { component: 'limits', error: err instanceof Error ? err.message : String(err) },
        'state store unreachable: serving requests without checking limits (state.whenDown: serve)',
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

  /** Each scope's usage now, for GET /v1/gateway/limits. */
  usage(scopes: readonly LimitedScope[]): Promise<LimitUsageReport> {
    return limitUsageReport(this.options, this.counters, scopes, this.now());
  }
}

/** Settled already, or settled in process memory: nothing to wait for (one shared promise). */
const DONE: Promise<void> = Promise.resolve();

/** An admitted request's ticket: one object, no closure, per request. */
class Admission implements LimitTicket {
  private settled = false;

  constructor(
    private readonly limiter: ClientLimiter,
    private readonly counters: CounterStore,
    private readonly check: Check,
  ) {}

  settle(usedTokens?: number, modelAnswered = true): Promise<void> {
    if (this.settled) return DONE;
    this.settled = true;
    return this.limiter.adjust(this.counters, settleOps(this.check, usedTokens, modelAnswered));
  }
}

interface Over {
  message: string;
  retryAfterMs: number;
  limit: 'rpm' | 'tpm' | 'budget' | 'concurrency';
  scope: 'client' | 'model';
}

/** The first limit the counts went over (the key's before the model's), and when it frees up. */
function overLimit(c: Check): Over | undefined {
  for (let i = 0; i < c.scopes.length; i++) {
    const scope = c.scopes[i]!;
    const { limits, label, kind } = scope;
    const slots = c.slots[i]!;
    const untilMinute = c.minuteReset[i]! - c.now;
    const value = (slot: number) => (slot < 0 ? 0 : c.values[slot]!);
    if (limits.rpm !== undefined && value(slots.requests) > limits.rpm) {
      return {
        message: `rate limit reached for ${label}: ${limits.rpm} requests per minute`,
        retryAfterMs: untilMinute,
        limit: 'rpm',
        scope: kind,
      };
    }
    if (limits.tpm !== undefined && value(slots.tokens) > limits.tpm) {
      return {
        message:
          c.reserve > limits.tpm
            ? `request too large for ${label}: it may use ${c.reserve} tokens (max_tokens and input), the limit is ${limits.tpm} tokens per minute`
            : `rate limit reached for ${label}: ${limits.tpm} tokens per minute`,
        retryAfterMs: untilMinute,
        limit: 'tpm',
        scope: kind,
      };
    }
    const budget = limits.budget;
    if (budget !== undefined && value(slots.budget) > budget.tokens) {
      return {
        message: `token budget exhausted for ${label}: ${budget.tokens} tokens per ${budget.per}`,
        retryAfterMs: c.budgetReset[i]! - c.now,
        limit: 'budget',
        scope: kind,
      };
    }
    if (limits.concurrency !== undefined && value(slots.inflight) > limits.concurrency) {
      return {
        message: `too many concurrent requests for ${label}: at most ${limits.concurrency} at once`,
        retryAfterMs: 1_000,
        limit: 'concurrency',
        scope: kind,
      };
    }
  }
  return undefined;
}

/** Per kind, the reading of the scope with the least left (the one the client will meet first). */
function setHeaders(res: HeaderSink, format: ClientFormat, c: Check): void {
  // Indexes of the scopes read, not objects: this runs for every limited request.
  let requestsAt = -1;
  let requestsLeft = 0;
  let tokensAt = -1;
  let tokensLeft = 0;
  for (let i = 0; i < c.scopes.length; i++) {
    const { limits } = c.scopes[i]!;
    const slots = c.slots[i]!;
    if (slots.requests >= 0) {
      const remaining = limits.rpm! - c.values[slots.requests]!;
      if (requestsAt < 0 || remaining < requestsLeft) {
        requestsAt = i;
        requestsLeft = remaining;
      }
    }
    if (slots.tokens >= 0) {
      const remaining = limits.tpm! - c.values[slots.tokens]!;
      if (tokensAt < 0 || remaining < tokensLeft) {
        tokensAt = i;
        tokensLeft = remaining;
      }
    }
  }
  if (requestsAt >= 0) {
    const { rpmText } = c.scopes[requestsAt]!;
    const resetAt = c.minuteReset[requestsAt]!;
    setRateLimitHeaders(res, format, 'requests', rpmText, requestsLeft, resetAt, c.now);
  }
  if (tokensAt >= 0) {
    const { tpmText } = c.scopes[tokensAt]!;
    const resetAt = c.minuteReset[tokensAt]!;
    setRateLimitHeaders(res, format, 'tokens', tpmText, tokensLeft, resetAt, c.now);
  }
}
