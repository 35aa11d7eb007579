import type { ServerResponse } from 'node:http';
import { errorFrom } from '@mlx-gateway/shared/errors';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import type { ClientFormat } from '../api/client-format.js';
import type { Resolution, Target } from '../routing/target.js';
import type { ClientLimiter, LimitTicket } from './client-limiter.js';
import { HeaderScratch } from './header-scratch.js';

/**
 * What checking one target of the chain gives: the attempt's hold on its model's limits, the
 * refusal (RATE_LIMITED, or STATE_UNAVAILABLE with `state.whenDown: refuse`), or undefined when
 * there was nothing to count (no limits of its own, counted with the request already, or a
 * store that is down and `whenDown: serve`).
 */
export type AttemptAdmission = LimitTicket | GatewayError | undefined;

/** Where the usage of the answer is read when it ends (the request's audit record). */
export interface UsageSource {
  readonly usedTokens: number | undefined;
}

export interface FallbackLimitsOptions {
  limiter: ClientLimiter;
  resolution: Resolution;
  /** Tokens charged per attempt (reserve-tokens.ts). */
  reserve: number;
  res: ServerResponse;
  format: ClientFormat;
  usage: UsageSource | undefined;
}

/**
 * The limits of the models a request may fail over to. A request is counted once when it
 * arrives, against its client key's limits and its first target's model's (routed-request.ts);
 * an attempt at a fallback served by another model that has `limits:` of its own is counted
 * against those too, model scope only (the key counted this request already), just before it
 * is sent. Over one of them the attempt is not sent and the chain goes on; a chain that ends on
 * such a refusal answers its 429 with that check's Retry-After and rate-limit headers. An
 * admitted attempt's counts are settled by the usage when the answer ends, or at once (its
 * in-flight slot back) when it fails and the chain moves on. Made only for a chain that has
 * such a fallback: the common request costs one loop over its targets.
 */
export class FallbackLimits {
  /** The model counted with the request (its limits are never counted again for it). */
  private readonly counted: string | undefined;
  private refusal: { error: GatewayError; headers: HeaderScratch } | undefined;

  /** Made only for a chain that `needed` says has such a fallback. */
  constructor(private readonly options: FallbackLimitsOptions) {
    this.counted = options.resolution.targets[0]?.model.name;
  }

  /** Whether a target after the first is served by another model with limits of its own. */
  static needed(resolution: Resolution): boolean {
    const { targets } = resolution;
    const first = targets[0]?.model.name;
    for (let i = 1; i < targets.length; i++) {
      const model = targets[i]!.model;
      if (model.limits !== undefined && model.name !== first) return true;
    }
    return false;
  }

  /**
   * Counts an attempt at `target` against its model's limits, when it has its own and is not
   * the model counted with the request. Synchronous on the embedded store (and when there is
   * nothing to count); a promise only while a Redis store answers. Never throws.
   */
  admit(target: Target): AttemptAdmission | Promise<AttemptAdmission> {
    const { model } = target;
    if (model.limits === undefined || model.name === this.counted) return undefined;
    const { limiter, reserve, format } = this.options;
    const headers = new HeaderScratch();
    let admitted: ReturnType<ClientLimiter['admit']>;
    try {
      admitted = limiter.admit(undefined, reserve, headers, format, model);
    } catch (err) {
      return this.refused(err, headers);
    }
    if (!(admitted instanceof Promise)) return this.admitted(admitted, headers);
    return admitted.then(
      (ticket) => this.admitted(ticket, headers),
      (err: unknown) => this.refused(err, headers),
    );
  }

  /**
   * The chain ended with `error`, about to be answered: when it is a fallback's refusal, the
   * answer carries that check's Retry-After and rate-limit headers, as a request refused on
   * arrival does.
   */
  ending(error: GatewayError): void {
    const { refusal } = this;
    if (refusal !== undefined && refusal.error === error) refusal.headers.applyTo(this.options.res);
  }

  private admitted(ticket: LimitTicket | undefined, headers: HeaderScratch): AttemptAdmission {
    if (ticket === undefined) return undefined;
    const { res, format, usage } = this.options;
    headers.applyTighterTo(res, format);
    // As for the request's own ticket: 'close' comes once, and a ticket settled already (its
    // attempt failed) ignores a second settle.
    res.on('close', () => void ticket.settle(usage?.usedTokens));
    return ticket;
  }

  private refused(err: unknown, headers: HeaderScratch): GatewayError {
    const error = errorFrom(err);
    this.refusal = { error, headers };
    return error;
  }
}
