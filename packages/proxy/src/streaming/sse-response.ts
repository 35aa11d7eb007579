import type { ServerResponse } from 'node:http';
import { openAIStreamErrorEvent } from '@mlx-gateway/shared';
import type { Clock, Timer } from '../clock/clock.js';

export const HEARTBEAT = Buffer.from(': keep-alive\n\n');
export const DONE_EVENT = Buffer.from('data: [DONE]\n\n');

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
  ) {}

  get committed(): boolean {
    return this.res.headersSent;
  }

  /** Body bytes written, heartbeats included. */
  get bytes(): number {
    return this.written;
  }

  /** Sends the status line and SSE headers now (idempotent). */
  commit(): void {
    if (this.res.headersSent || this.res.destroyed) return;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
      'x-request-id': this.reqId,
    });
    this.res.flushHeaders();
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
    const event = Buffer.from(openAIStreamErrorEvent(err));
    this.written += event.length + DONE_EVENT.length;
    this.res.write(event);
    this.res.end(DONE_EVENT);
  }

  /** Stops the heartbeat (the response is over or the client is gone). */
  stop(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }

  private beat(): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.heartbeat?.refresh();
    // A client that has not read what it was sent needs no keep-alive on top.
    if (this.res.writableNeedDrain) return;
    this.written += HEARTBEAT.length;
    this.res.write(HEARTBEAT);
  }
}
