import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Backend, BackendRequest } from '../backends/backend.js';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { ProxyLogger } from '../logging/logger.js';
import type { RequestRecord } from '../logging/request-record.js';
import type { Target } from '../routing/target.js';
import { SseResponse } from '../streaming/sse-response.js';
import { Attempt } from './attempt.js';
import type { AttemptHost, AttemptResult } from './attempt.js';
import { openAIClientFormat, writeClientError } from '../api/client-format.js';
import type { ClientFormat } from '../api/client-format.js';
import { canFailOver } from './failover-policy.js';
import { TARGET_HEADER, chainError } from './chain-error.js';
import type { FailedAttempt } from './chain-error.js';
import type { AuditRecordBuilder } from '../audit/record-builder.js';
import { incompleteReasonOfTimeout } from '../audit/record-builder.js';
import type { TimeoutPhaseName } from '../audit/record-builder.js';
import type { AttemptAdmission, FallbackLimits } from '../limits/fallback-limits.js';

/** A request in flight as the dashboard lists it (no bodies, no headers). */
export interface ExchangeView {
  reqId: string;
  path: string;
  model?: string;
  target?: string;
  client?: string;
  stream: boolean;
  /** Start, in the proxy clock's milliseconds. */
  start: number;
  /** Response body bytes written so far. */
  bytes: number;
}

/** A target of the fallback chain with the backend that serves it. */
export interface PlannedTarget {
  target: Target;
  backend: Backend;
  backendName: string;
}

export interface ExchangeOptions {
  res: ServerResponse;
  reqId: string;
  stream: boolean;
  clock: Clock;
  heartbeatMs: number;
  logger: ProxyLogger;
  record: RequestRecord;
  /** The API the client speaks, for the proxy's own answers (default OpenAI). */
  format?: ClientFormat;
  /** The request's audit record in the making (absent when audit and metrics are off). */
  audit?: AuditRecordBuilder | undefined;
  /** The limits of the chain's fallback models, when one has its own (limits/fallback-limits.ts). */
  limits?: FallbackLimits | undefined;
}

/** A fallback's counts given back: it was admitted but never sent. */
function settleUnsent(admission: AttemptAdmission): void {
  if (admission !== undefined && !(admission instanceof GatewayError)) void admission.settle(0);
}

const clientClosed = (): GatewayError =>
  new GatewayError(ErrorCodes.STREAM_INTERRUPTED, 'the client closed the connection');

/**
 * One proxied request: tries the targets of its fallback chain in order until one answers,
 * failing over only while no upstream content has reached the client. When every target
 * failed, the client gets the last error's status with every attempt and its reason (see
 * `chainError`) in its API's error body, or, once a stream
 * has started, as a final error event followed by `[DONE]`. A client that goes away aborts the
 * upstream request at once. A fallback whose model has limits of its own is counted against them
 * before it is sent, and skipped when over them (limits/fallback-limits.ts).
 */
export class ProxyExchange implements AttemptHost {
  readonly res: ServerResponse;
  readonly reqId: string;
  readonly stream: boolean;
  readonly sse: SseResponse | undefined;
  readonly clock: Clock;
  readonly heartbeatMs: number;
  contentSent = false;
  bodyBytes = 0;
  /** Size of the error body the proxy answered with, when it did. */
  private errorBytes = 0;
  readonly audit: AuditRecordBuilder | undefined;
  private readonly logger: ProxyLogger;
  private readonly record: RequestRecord;
  private readonly format: ClientFormat;
  private readonly limits: FallbackLimits | undefined;
  private current: Attempt | undefined;
  private clientGone = false;
  private stopped: GatewayError | undefined;
  private cancelled = false;

  constructor(options: ExchangeOptions) {
    this.res = options.res;
    this.reqId = options.reqId;
    this.stream = options.stream;
    this.clock = options.clock;
    this.heartbeatMs = options.heartbeatMs;
    this.logger = options.logger;
    this.record = options.record;
    this.format = options.format ?? openAIClientFormat;
    this.audit = options.audit;
    this.limits = options.limits;
    // A write racing a client disconnect must never surface as an unhandled 'error'.
    this.res.on('error', this.onResponseError);
    this.sse = options.stream
      ? new SseResponse(options.res, options.reqId, options.heartbeatMs, options.clock, this.format)
      : undefined;
  }

  firstByte(): void {
    this.record.ttfbMs ??= this.clock.now() - this.record.start;
  }

  /** Ends the exchange early (shutdown): the error goes to the client like any other. */
  stop(error: GatewayError): void {
    this.stopped ??= error;
    this.current?.cancel(error);
  }

  /**
   * Ends the exchange at the operator's request (the dashboard's cancel): the upstream is
   * aborted as when the client goes away, and the client gets the error end.
   */
  cancel(error: GatewayError): void {
    this.cancelled = true;
    this.stop(error);
  }

  /** What the dashboard shows of a request in flight. */
  describe(): ExchangeView {
    const { record } = this;
    const view: ExchangeView = {
      reqId: this.reqId,
      path: record.path,
      stream: this.stream,
      start: record.start,
      bytes: this.sse?.bytes ?? this.bodyBytes,
    };
    if (record.model !== undefined) view.model = record.model;
    if (record.target !== undefined) view.target = record.target;
    if (record.client !== undefined) view.client = record.client;
    return view;
  }

  async run(
    plan: readonly PlannedTarget[],
    requestFor: (target: Target) => BackendRequest,
  ): Promise<void> {
    const { res, record } = this;
    res.once('close', this.onClose);
    let lastError: GatewayError | undefined;
    let delivered = false;
    const failed: FailedAttempt[] = [];
    for (let i = 0; i < plan.length; i++) {
      const step = plan[i] as PlannedTarget;
      record.target = step.target.name;
      record.backend = step.backendName;
      record.attempts = i + 1;
      // Names the target that answers; sent with the response headers (removed on failure).
      if (!res.headersSent) res.setHeader(TARGET_HEADER, step.target.name);
      this.audit?.attemptBegan(step.target.name, step.backendName, this.clock.now());
      // A fallback's model with limits of its own is counted first; over them it is not sent.
      let admission = this.limits?.admit(step.target);
      if (admission instanceof Promise) {
        admission = await admission;
        // The check waited for the store: the client may have gone, or a shutdown come.
        if (this.clientGone || this.stopped !== undefined) {
          settleUnsent(admission);
          break;
        }
      }
      let result: AttemptResult;
      if (admission instanceof GatewayError) {
        result = { ok: false, error: admission };
        this.audit?.attemptEnded('limited', admission.code, this.clock.now());
      } else {
        const attempt = new Attempt(this, step.backend, requestFor(step.target));
        this.current = attempt;
        result = await attempt.run();
        this.current = undefined;
        this.auditAttempt(result, i > 0);
        // A failed attempt's in-flight slot goes back now, not when the request ends; no usage
        // is known, so its tokens stay charged (as for any answer without usage).
        if (!result.ok && !this.contentSent) void admission?.settle();
      }
      if (result.ok) {
        this.finish(true);
        return;
      }
      delivered = result.delivered === true;
      failed.push({ target: step.target.name, error: result.error });
      if (i > 0 && result.error.code === ErrorCodes.UNSUPPORTED_FEATURE && !this.contentSent) {
        // A fallback whose API cannot express the request is no candidate: skip it, and the
        // client gets the error of the target that really failed.
        this.logger.info(
          { reqId: this.reqId, skipped: step.target.name, code: result.error.code },
          'fallback cannot take this request',
        );
      } else {
        lastError = result.error;
      }
      if (!this.goesOn(step, plan[i + 1], lastError)) break;
    }
    const error = this.stopped ?? (lastError && chainError(failed, lastError));
    record.error = error?.code;
    if (!res.headersSent) res.removeHeader(TARGET_HEADER);
    if (error !== undefined) this.auditIncomplete(error);
    if (this.stopped === undefined && lastError !== undefined) this.limits?.ending(lastError);
    // A translated stream that failed has already sent its own error event.
    if (!this.clientGone && error !== undefined && !delivered) this.deliverError(error);
    this.finish(false);
  }

  /** Whether the chain goes on from a failed `step` to `next` (logged when it does). */
  private goesOn(
    step: PlannedTarget,
    next: PlannedTarget | undefined,
    lastError: GatewayError | undefined,
  ): boolean {
    if (
      next === undefined ||
      this.clientGone ||
      this.stopped !== undefined ||
      this.contentSent ||
      lastError === undefined ||
      !canFailOver(lastError)
    ) {
      return false;
    }
    this.logger.info(
      { reqId: this.reqId, from: step.target.name, to: next.target.name, code: lastError.code },
      'failing over to the next target',
    );
    return true;
  }

  /** The attempt's end on the audit record: a fallback that cannot take the request is skipped. */
  private auditAttempt(result: AttemptResult, fallback: boolean): void {
    const { audit } = this;
    if (audit === undefined) return;
    const now = this.clock.now();
    if (result.ok) audit.attemptEnded('ok', undefined, now);
    else if (fallback && result.error.code === ErrorCodes.UNSUPPORTED_FEATURE && !this.contentSent)
      audit.attemptEnded('skipped', result.error.code, now);
    else audit.attemptEnded('error', result.error.code, now);
  }

  /**
   * Why the response ended early, when it did: an error answered whole (a 502 before anything
   * was sent) leaves the response complete; one that cut a response under way does not.
   */
  private auditIncomplete(error: GatewayError): void {
    const { audit } = this;
    if (audit === undefined || this.clientGone) return;
    if (!this.contentSent && this.sse?.committed !== true) return;
    if (this.stopped !== undefined) {
      audit.setIncomplete(this.cancelled ? 'cancelled' : 'shutdown');
      return;
    }
    const phase = (error.details as { phase?: unknown } | undefined)?.phase;
    if (error.code === ErrorCodes.UPSTREAM_TIMEOUT && typeof phase === 'string') {
      audit.setIncomplete(incompleteReasonOfTimeout(phase as TimeoutPhaseName));
      return;
    }
    audit.setIncomplete('upstream_failed');
  }

  private deliverError(error: GatewayError): void {
    const { res, sse } = this;
    if (sse?.committed) {
      sse.endWithError(error);
    } else if (res.headersSent) {
      // A non-streamed body cut short: closing the connection is the only honest signal.
      res.destroy();
    } else {
      this.errorBytes = writeClientError(res, error, this.reqId, this.format);
    }
  }

  private finish(complete: boolean): void {
    this.sse?.stop();
    const { record } = this;
    record.complete = complete && !this.clientGone;
    // 499: the client closed the connection before any status was sent (nginx's convention).
    record.status = !this.res.headersSent && this.clientGone ? 499 : this.res.statusCode;
    // An error the proxy answered itself (its body) counts too.
    record.bytes = (this.sse?.bytes ?? this.bodyBytes) + this.errorBytes;
  }

  private readonly onResponseError = (err: Error): void => {
    this.logger.debug({ reqId: this.reqId, err }, 'client response error');
  };

  private readonly onClose = (): void => {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.record.clientClosed = true;
    this.sse?.stop();
    this.current?.cancel(clientClosed());
  };
}
