import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import { errorFrom } from '@mlx-gateway/shared/errors';
import type { Timeouts } from '@mlx-gateway/shared/config';
import type {
  Backend,
  BackendRequest,
  PrepareContext,
  PreparedRequest,
} from '../backends/backend.js';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import { PhaseDeadlines } from './phase-deadlines.js';
import {
  errorFromBrokenResponse,
  errorFromConnectFailure,
  networkErrorCode,
  timeoutError,
} from '../upstream/upstream-error.js';
import type { TimeoutPhase, UpstreamIdentity } from '../upstream/upstream-error.js';
import { chooseSink } from './sinks/choose-sink.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './sinks/response-sink.js';
import type { SinkAudit } from './sinks/usage-tap.js';
import type { AuditRecordBuilder } from '../audit/record-builder.js';

export type AttemptResult =
  | { ok: true }
  /** `delivered`: the client already got the error (a translated stream's own error event). */
  | { ok: false; error: GatewayError; delivered?: boolean };

/** The request-wide state an attempt works with: the client side, its clock and heartbeat. */
export interface AttemptHost extends ClientOutput {
  readonly clock: Clock;
  readonly heartbeatMs: number;
  /** Called on the first upstream body byte of each attempt. */
  firstByte(): void;
  /** The request's audit record in the making (absent when audit and metrics are off). */
  readonly audit?: AuditRecordBuilder | undefined;
}

const ENSURE_MARGIN_MS = 1_000;

const START_FAILURES: ReadonlySet<string> = new Set([
  ErrorCodes.MODEL_START_FAILED,
  ErrorCodes.MODEL_START_TIMEOUT,
]);

/**
 * One try of one target: prepare (which may wait for a local model to start), send, and relay
 * the response to the client as it arrives, through the sink chosen when it starts (see
 * `chooseSink`). Runs the target's timeouts: connect (until the request is on a socket), first
 * byte (from the start of the attempt, model start included), idle (longest gap between body
 * chunks, paused while the client is the slow one) and total. Resolves once, with success or
 * the error that ended it; it never writes an error itself.
 */
export class Attempt implements UpstreamListener, PrepareContext, SinkOwner {
  private settled = false;
  private resolveResult: (result: AttemptResult) => void = () => {};
  private readonly startedAt: number;
  private readonly timeouts: Timeouts;
  private prepared: PreparedRequest | undefined;
  private call: UpstreamCall | undefined;
  private controller: AbortController | undefined;
  private retried = false;
  /** Where the response body goes; set when the response starts. */
  private sink: ResponseSink | undefined;
  private gotFirstByte = false;
  /** Body chunks received in this tick, not yet handed to the sink (see onData). */
  private readonly received: Buffer[] = [];
  private paused = false;
  private readonly deadlines: PhaseDeadlines;
  private commitTimer: Timer | undefined;

  constructor(
    private readonly host: AttemptHost,
    private readonly backend: Backend,
    private readonly req: BackendRequest,
  ) {
    this.startedAt = host.clock.now();
    this.timeouts = req.target.model.timeouts;
    this.deadlines = new PhaseDeadlines(host.clock, (phase) => this.timeout(phase));
  }

  /**
   * Time left of the first-byte budget, for a model start, plus a second: the attempt's own
   * first-byte timer is meant to fire first and report the timeout as UPSTREAM_TIMEOUT.
   */
  get timeoutMs(): number {
    const left = this.timeouts.firstByteMs - (this.host.clock.now() - this.startedAt);
    return Math.max(1, left) + ENSURE_MARGIN_MS;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  run(): Promise<AttemptResult> {
    return new Promise<AttemptResult>((resolve) => {
      this.resolveResult = resolve;
      this.deadlines.set('total', this.timeouts.totalMs);
      this.deadlines.set('first byte', this.timeouts.firstByteMs);
      let prepared: PreparedRequest | Promise<PreparedRequest>;
      try {
        prepared = this.backend.prepare(this.req, this);
      } catch (err) {
        this.fail(errorFrom(err));
        return;
      }
      this.whenPrepared(prepared);
    });
  }

  /** Ends the attempt from outside (client gone, shutdown). */
  cancel(error: GatewayError): void {
    this.fail(error);
  }

  onConnected(): void {
    this.deadlines.clear('connect');
  }

  onResponseStart(status: number, headers: IncomingHttpHeaders): void {
    this.deadlines.clear('connect');
    // `send` is only ever called with a prepared request, so there is one by now.
    const prepared = this.prepared as PreparedRequest;
    this.sink = chooseSink(
      this.host,
      this,
      status,
      headers,
      prepared,
      this.req.request.model,
      this.sinkAudit(),
    );
  }

  /**
   * A body chunk. For a stream, the chunks of one socket read (a chunked upstream sends each
   * event as its own chunk, and a fast one sends many per read) reach the sink together, at the
   * end of the tick: one framing, scrub and client write for all of them instead of one each.
   * Nothing waits for a later read; the end or the failure of the body hands over what came
   * first. Any other body goes on as it comes (a JSON answer is one chunk: the deferral cost it
   * ~25 µs of CPU per request in the bench's sibling comparison).
   */
  onData(chunk: Buffer): void {
    if (this.settled) return;
    if (!this.gotFirstByte) {
      this.gotFirstByte = true;
      this.deadlines.clear('first byte');
      this.host.firstByte();
    }
    if (this.host.sse === undefined) {
      // A body that is not a stream comes in one or a few large chunks: nothing to join.
      if (!this.paused) this.deadlines.set('idle', this.timeouts.idleMs);
      this.sink?.data(chunk);
      return;
    }
    if (this.received.push(chunk) === 1) process.nextTick(this.handOver);
  }

  /** What arrived in this tick, to the sink as one chunk; the idle clock restarts. */
  private readonly handOver = (): void => {
    const { received } = this;
    if (received.length === 0 || this.settled) {
      received.length = 0;
      return;
    }
    const chunk = received.length === 1 ? (received[0] as Buffer) : Buffer.concat(received);
    received.length = 0;
    if (!this.paused) this.deadlines.set('idle', this.timeouts.idleMs);
    this.sink?.data(chunk);
  };

  onEnd(): void {
    if (this.settled) return;
    this.handOver();
    if (this.settled) return;
    this.sink?.end();
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.handOver();
    if (this.settled) return;
    const { sink } = this;
    if (sink === undefined) {
      this.connectFailed(err);
      return;
    }
    this.fail(sink.broken?.(err) ?? errorFromBrokenResponse(err, this.identity()));
  }

  /** The client is not keeping up: stop reading the upstream (and its idle clock) until drained. */
  backpressure(): void {
    if (this.paused || this.host.res.destroyed) return;
    this.paused = true;
    this.deadlines.clear('idle');
    this.call?.pause();
    this.host.res.once('drain', this.onDrain);
  }

  complete(): void {
    this.settle({ ok: true });
  }

  fail(error: GatewayError, delivered?: boolean): void {
    this.settle(delivered === true ? { ok: false, error, delivered } : { ok: false, error });
  }

  /** No response: a refused connection to a possibly stale endpoint gets one retry. */
  private connectFailed(err: Error): void {
    const retry = this.prepared?.retry;
    if (retry === undefined || this.retried || networkErrorCode(err) !== 'ECONNREFUSED') {
      this.fail(errorFromConnectFailure(err, this.identity()));
      return;
    }
    this.retried = true;
    this.deadlines.clear('connect');
    this.prepared = undefined;
    this.call = undefined;
    let again: Promise<PreparedRequest>;
    try {
      again = retry(this);
    } catch (retryErr) {
      this.fail(errorFrom(retryErr));
      return;
    }
    this.whenPrepared(again);
  }

  private whenPrepared(prepared: PreparedRequest | Promise<PreparedRequest>): void {
    if (!(prepared instanceof Promise)) {
      this.dispatch(prepared);
      return;
    }
    const { host } = this;
    // Wait for a model start up to one heartbeat before committing the stream, so that a
    // start that fails fast still gets a proper error status; then keep the client company.
    if (host.sse !== undefined && !host.sse.committed) {
      this.commitTimer = host.clock.timer(host.heartbeatMs, () => host.sse?.commit());
    }
    const waitFrom = host.clock.now();
    prepared.then(
      (ready) => {
        this.commitTimer?.cancel();
        if (ready.coldStart !== undefined) {
          host.audit?.modelReady(host.clock.now() - waitFrom, ready.coldStart);
        }
        if (this.settled) {
          ready.release();
          return;
        }
        this.dispatch(ready);
      },
      (err: unknown) => {
        this.commitTimer?.cancel();
        const error = errorFrom(err);
        // A start that failed was a cold start too: the record says how long it was waited for.
        if (START_FAILURES.has(error.code))
          host.audit?.modelReady(host.clock.now() - waitFrom, true);
        this.fail(error);
      },
    );
  }

  private dispatch(prepared: PreparedRequest): void {
    this.prepared = prepared;
    this.deadlines.set('connect', this.timeouts.connectMs);
    try {
      const call = this.backend.send(prepared, this);
      if (!this.settled) this.call = call;
    } catch (err) {
      this.fail(errorFromConnectFailure(err, prepared.identity));
    }
  }

  private readonly onDrain = (): void => {
    if (this.settled) return;
    this.paused = false;
    this.deadlines.set('idle', this.timeouts.idleMs);
    this.call?.resume();
  };

  /** What the sink feeds the audit record with: the upstream's wire format decides how. */
  private sinkAudit(): SinkAudit | undefined {
    const { audit, clock } = this.host;
    if (audit === undefined) return undefined;
    const format = this.req.target.model.backend === 'anthropic' ? 'anthropic' : 'openai';
    return { audit, format, clock };
  }

  private identity(): UpstreamIdentity {
    return this.prepared?.identity ?? { model: this.req.target.name, hosts: [] };
  }

  private timeout(phase: TimeoutPhase): void {
    const { totalMs, firstByteMs, connectMs, idleMs } = this.timeouts;
    const ms = { total: totalMs, 'first byte': firstByteMs, connect: connectMs, idle: idleMs };
    this.fail(timeoutError(phase, ms[phase], this.identity()));
  }

  private settle(result: AttemptResult): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.stop();
    this.commitTimer?.cancel();
    if (this.paused) this.host.res.off('drain', this.onDrain);
    if (!result.ok) {
      this.call?.abort(result.error);
      this.controller?.abort(result.error);
    }
    const { prepared } = this;
    prepared?.settled?.(prepared, result.ok ? undefined : result.error);
    prepared?.release();
    this.resolveResult(result);
  }
}
