import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom, scrubSecretsMemo } from '@mlx-gateway/shared';
import type { StreamScrubber, Timeouts } from '@mlx-gateway/shared';
import type {
  Backend,
  BackendRequest,
  PrepareContext,
  PreparedRequest,
} from '../backends/backend.js';
import type { Clock, Timer } from '../clock/clock.js';
import { SseFramer, lastEventEnd } from '../streaming/sse-framer.js';
import type { SseResponse } from '../streaming/sse-response.js';
import type { UpstreamCall, UpstreamListener } from '../upstream/upstream-call.js';
import { PhaseDeadlines } from './phase-deadlines.js';
import { relayScrubber, scrubRelayedBody } from './relay-scrubber.js';
import { transformOf } from './response-transform.js';
import type { ResponseTransform, StreamStep, StreamTransform } from './response-transform.js';
import {
  ERROR_BODY_LIMIT,
  errorFromBrokenResponse,
  errorFromConnectFailure,
  errorFromUpstreamStatus,
  networkErrorCode,
  timeoutError,
} from '../upstream/upstream-error.js';
import type { TimeoutPhase, UpstreamIdentity } from '../upstream/upstream-error.js';

export type AttemptResult =
  | { ok: true }
  /** `delivered`: the client already got the error (a translated stream's own error event). */
  | { ok: false; error: GatewayError; delivered?: boolean };

/** The request-wide state an attempt writes to: the client response and what reached it. */
export interface AttemptHost {
  readonly res: ServerResponse;
  readonly reqId: string;
  readonly stream: boolean;
  /** Present for streamed requests. */
  readonly sse: SseResponse | undefined;
  readonly clock: Clock;
  readonly heartbeatMs: number;
  /** Upstream content has been written to the client: no failover from here on. */
  contentSent: boolean;
  /** Body bytes written to the client by non-streamed responses. */
  bodyBytes: number;
  /** Called on the first upstream body byte of each attempt. */
  firstByte(): void;
}

const EVENT_END = Buffer.from('\n\n');
const ENSURE_MARGIN_MS = 1_000;
/** Most bytes of a non-streamed upstream body the proxy holds to translate it. */
const TRANSLATED_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * One try of one target: prepare (which may wait for a local model to start), send, and relay
 * the response to the client as it arrives. Runs the target's timeouts: connect (until the
 * request is on a socket), first byte (from the start of the attempt, model start included),
 * idle (longest gap between body chunks, paused while the client is the slow one) and total.
 * Resolves once, with success or the error that ended it; it never writes an error itself.
 */
export class Attempt implements UpstreamListener, PrepareContext {
  private settled = false;
  private resolveResult: (result: AttemptResult) => void = () => {};
  private readonly startedAt: number;
  private readonly timeouts: Timeouts;
  private prepared: PreparedRequest | undefined;
  private call: UpstreamCall | undefined;
  private controller: AbortController | undefined;
  private retried = false;
  private responseStarted = false;
  private status = 0;
  private headers: IncomingHttpHeaders | undefined;
  private errorBody: Buffer[] | undefined;
  private errorBodyBytes = 0;
  private gotFirstByte = false;
  private paused = false;
  private framer: SseFramer | undefined;
  /** Removes secrets from everything relayed to the client (undefined: none is known). */
  private scrubber: StreamScrubber | undefined;
  /** Set when the upstream speaks another API than the client: its stream, translated. */
  private translation: StreamTransform | undefined;
  /** Set for a non-streamed response to translate: its body, held until complete. */
  private translatedBody:
    { transform: ResponseTransform; parts: Buffer[]; bytes: number } | undefined;
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
    this.responseStarted = true;
    this.deadlines.clear('connect');
    this.status = status;
    if (status >= 300) {
      this.errorBody = [];
      return;
    }
    this.headers = headers;
    this.scrubber = relayScrubber();
    const transform = transformOf(this.prepared);
    if (this.host.stream) {
      if (transform !== undefined) this.translation = transform.stream();
      else this.framer = new SseFramer();
      this.host.sse?.commit();
    } else if (transform !== undefined) {
      this.translatedBody = { transform, parts: [], bytes: 0 };
    }
  }

  onData(chunk: Buffer): void {
    if (this.settled) return;
    if (!this.gotFirstByte) {
      this.gotFirstByte = true;
      this.deadlines.clear('first byte');
      this.host.firstByte();
      this.deadlines.set('idle', this.timeouts.idleMs);
    } else if (!this.paused) {
      this.deadlines.set('idle', this.timeouts.idleMs);
    }
    if (this.errorBody !== undefined) {
      this.collectErrorBody(chunk);
      return;
    }
    const { host } = this;
    if (this.translation !== undefined) {
      this.writeTranslated(this.translation.push(chunk));
      return;
    }
    if (this.translatedBody !== undefined) {
      this.holdTranslatedBody(chunk);
      return;
    }
    if (this.framer !== undefined && host.sse !== undefined) {
      const framed = this.framer.push(chunk);
      if (framed === undefined) return;
      const events = this.scrubber === undefined ? framed : this.scrubber.push(framed);
      host.contentSent = true;
      if (!host.sse.write(events)) this.waitForDrain();
      return;
    }
    const out = host.res.headersSent ? this.scrubbed(chunk) : this.writeHead(chunk);
    host.contentSent = true;
    host.bodyBytes += out.length;
    if (!host.res.write(out)) this.waitForDrain();
  }

  onEnd(): void {
    if (this.settled) return;
    if (this.errorBody !== undefined) {
      this.fail(this.statusError());
      return;
    }
    if (this.translation !== undefined) {
      this.writeTranslated(this.translation.end());
      // A translation always ends or fails at the end of its body; never leave it hanging.
      this.fail(errorFromBrokenResponse(new Error('ended'), this.identity()));
      return;
    }
    if (this.translatedBody !== undefined) {
      this.endTranslatedBody(this.translatedBody);
      return;
    }
    const { host } = this;
    if (host.sse !== undefined) {
      const flushed = this.framer?.flush();
      const rest = this.scrubber === undefined ? flushed : this.scrubbedEnd(flushed);
      if (rest !== undefined) {
        host.contentSent = true;
        host.sse.write(rest);
        if (lastEventEnd(rest) !== rest.length) host.sse.write(EVENT_END);
      }
      host.sse.end();
    } else {
      if (!host.res.headersSent) this.writeHead(Buffer.alloc(0));
      const rest = this.scrubber?.end();
      if (rest !== undefined && rest.length > 0) host.bodyBytes += rest.length;
      host.res.end(rest);
    }
    this.settle({ ok: true });
  }

  onError(err: Error): void {
    if (this.settled) return;
    const identity = this.identity();
    if (!this.responseStarted) {
      const retry = this.prepared?.retry;
      if (retry !== undefined && !this.retried && networkErrorCode(err) === 'ECONNREFUSED') {
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
        return;
      }
      this.fail(errorFromConnectFailure(err, identity));
      return;
    }
    this.fail(
      this.errorBody !== undefined ? this.statusError() : errorFromBrokenResponse(err, identity),
    );
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
    prepared.then(
      (ready) => {
        this.commitTimer?.cancel();
        if (this.settled) {
          ready.release();
          return;
        }
        this.dispatch(ready);
      },
      (err: unknown) => {
        this.commitTimer?.cancel();
        this.fail(errorFrom(err));
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

  /**
   * Writes the response head on the first body chunk and returns that chunk, scrubbed. The
   * upstream's length stands when nothing is scrubbed or the whole body is in this chunk (the
   * common case: then it is scrubbed whole and its new length sent); otherwise the body goes
   * chunked, since scrubbing may change its length.
   */
  private writeHead(first: Buffer): Buffer {
    const upstream = this.headers ?? {};
    const type = upstream['content-type'];
    const headers: OutgoingHttpHeaders = {
      'content-type': type === undefined ? 'application/json' : scrubSecretsMemo(type),
      'x-request-id': this.host.reqId,
    };
    const length = upstream['content-length'];
    let out = first;
    if (this.scrubber === undefined) {
      if (length !== undefined) headers['content-length'] = length;
    } else if (length !== undefined && Number(length) === first.length) {
      out = scrubRelayedBody(first);
      this.scrubber = undefined;
      headers['content-length'] = out.length;
    } else {
      out = this.scrubber.push(first);
    }
    this.host.res.writeHead(this.status, headers);
    return out;
  }

  private scrubbed(chunk: Buffer): Buffer {
    return this.scrubber === undefined ? chunk : this.scrubber.push(chunk);
  }

  /** What the scrubber still held, with the framer's last bytes, scrubbed. */
  private scrubbedEnd(flushed: Buffer | undefined): Buffer | undefined {
    const head = flushed === undefined ? undefined : this.scrubbed(flushed);
    const tail = this.scrubber?.end();
    if (tail === undefined || tail.length === 0) return head;
    return head === undefined ? tail : Buffer.concat([head, tail]);
  }

  /**
   * Writes what a stream translation produced, as soon as it is formed, and ends the response
   * when the translation says the stream is complete or failed (its error event included).
   */
  private writeTranslated(step: StreamStep): void {
    const { host } = this;
    const sse = host.sse;
    if (this.settled || sse === undefined) return;
    let drained = true;
    if (step.frames !== '') {
      host.contentSent = true;
      const frames = this.scrubber?.pushText(step.frames) ?? Buffer.from(step.frames);
      drained = sse.write(frames);
    }
    if (step.failed !== undefined) {
      sse.end();
      this.settle({ ok: false, error: step.failed, delivered: true });
    } else if (step.done === true) {
      sse.end();
      this.settle({ ok: true });
    } else if (!drained) {
      this.waitForDrain();
    }
  }

  private holdTranslatedBody(chunk: Buffer): void {
    const held = this.translatedBody;
    if (held === undefined) return;
    held.bytes += chunk.length;
    if (held.bytes > TRANSLATED_BODY_LIMIT) {
      this.fail(
        new GatewayError(
          ErrorCodes.UPSTREAM_ERROR,
          `the answer of model '${this.identity().model}' is larger than ${TRANSLATED_BODY_LIMIT} bytes and cannot be translated; ask for a stream`,
        ),
      );
      return;
    }
    held.parts.push(chunk);
  }

  /** A complete non-streamed body, translated and sent with its own length. */
  private endTranslatedBody(held: { transform: ResponseTransform; parts: Buffer[] }): void {
    let body: Buffer;
    try {
      body = scrubRelayedBody(Buffer.from(held.transform.body(Buffer.concat(held.parts))));
    } catch (err) {
      this.fail(errorFrom(err));
      return;
    }
    const { res } = this.host;
    res.writeHead(this.status, {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-request-id': this.host.reqId,
    });
    this.host.contentSent = true;
    this.host.bodyBytes += body.length;
    res.end(body);
    this.settle({ ok: true });
  }

  private waitForDrain(): void {
    if (this.paused || this.host.res.destroyed) return;
    this.paused = true;
    this.deadlines.clear('idle');
    this.call?.pause();
    this.host.res.once('drain', this.onDrain);
  }

  private readonly onDrain = (): void => {
    if (this.settled) return;
    this.paused = false;
    this.deadlines.set('idle', this.timeouts.idleMs);
    this.call?.resume();
  };

  private collectErrorBody(chunk: Buffer): void {
    const room = ERROR_BODY_LIMIT - this.errorBodyBytes;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.errorBody?.push(part);
    this.errorBodyBytes += part.length;
  }

  private statusError(): GatewayError {
    const body = this.errorBody === undefined ? undefined : Buffer.concat(this.errorBody);
    return errorFromUpstreamStatus(this.status, body, this.identity());
  }

  private identity(): UpstreamIdentity {
    return this.prepared?.identity ?? { model: this.req.target.name, hosts: [] };
  }

  private timeout(phase: TimeoutPhase): void {
    const { totalMs, firstByteMs, connectMs, idleMs } = this.timeouts;
    const ms = { total: totalMs, 'first byte': firstByteMs, connect: connectMs, idle: idleMs };
    this.fail(timeoutError(phase, ms[phase], this.identity()));
  }

  private fail(error: GatewayError): void {
    this.settle({ ok: false, error });
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
    this.prepared?.release();
    this.resolveResult(result);
  }
}
