import type { ServerResponse } from 'node:http';
import { OPENAI_SSE_DIALECT } from '../api/sse-dialect.js';
import type { SseDialect } from '../api/sse-dialect.js';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';

/**
 * The client side of a streamed (SSE) response. `commit` sends the 200 and the headers that
 * keep intermediaries from buffering (no Content-Length: chunked); from then on a heartbeat
 * comment is written whenever nothing else was written for `heartbeatMs`, so idle
 * connections stay open while a model loads or thinks. Callers write whole events only.
 */
export class SseResponse {
  private heartbeat: Timer | undefined;
  private written = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly reqId: string,
    private readonly heartbeatMs: number,
    private readonly clock: Clock,
    private readonly dialect: SseDialect = OPENAI_SSE_DIALECT,
  ) {}

  get committed(): boolean {
    return this.res.headersSent;
  }

  /** Body bytes written, heartbeats included. */
  get bytes(): number {
    return this.written;
  }

  /**
   * Sends the status line and SSE headers (idempotent). They leave with the first events when
   * those are written before the event loop turns (the usual case: the upstream's headers and
   * first events arrive together, and the attempt hands the events over at the end of that
   * tick), saving a write per stream; otherwise they are flushed on their own right after, so a
   * client never waits for the first event to see the 200.
   */
  commit(): void {
    if (this.res.headersSent || this.res.destroyed) return;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
      'x-request-id': this.reqId,
    });
    setImmediate(this.flushIdleHeaders);
    this.heartbeat = this.clock.timer(this.heartbeatMs, () => this.beat());
  }

  /** Writes complete events; false when the client is not keeping up (wait for 'drain'). */
  write(events: Buffer): boolean {
    this.commit();
    this.written += events.length;
    this.heartbeat?.refresh();
    return this.res.write(events);
  }

  /** Ends the stream normally. */
  end(): void {
    this.stop();
    this.commit();
    this.res.end();
  }

  /** Ends the stream with an explicit error event and `[DONE]`, never a silent cut. */
  endWithError(err: unknown): void {
    this.stop();
    if (this.res.destroyed) return;
    this.commit();
    const frames = this.dialect.errorEnd(err);
    this.written += frames.length;
    this.res.end(frames);
  }

  /** Stops the heartbeat (the response is over or the client is gone). */
  stop(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }

  private readonly flushIdleHeaders = (): void => {
    if (this.written === 0 && !this.res.writableEnded && !this.res.destroyed) {
      this.res.flushHeaders();
    }
  };

  private beat(): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.heartbeat?.refresh();
    // A client that has not read what it was sent needs no keep-alive on top.
    if (this.res.writableNeedDrain) return;
    const frame = this.dialect.heartbeat;
    this.written += frame.length;
    this.res.write(frame);
  }
}
