import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** A request to an upstream, ready to send. */
export interface UpstreamRequest {
  /** scheme://host:port */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** What happens to an upstream request, in order; after `onEnd` or `onError` nothing more. */
export interface UpstreamListener {
  /** The request is being written on a connected socket. */
  onConnected(): void;
  onResponseStart(status: number, headers: IncomingHttpHeaders): void;
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
}

/**
 * One request dispatched on an undici pool with the streaming handler API: the body is handed
 * over chunk by chunk as it arrives (never buffered), the socket can be paused while the
 * client is slow, and the request can be aborted at any point (before the connection exists,
 * the abort takes effect as soon as it does).
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private finished = false;
  private wantPause = false;

  constructor(private readonly listener: UpstreamListener) {}

  start(pool: Dispatcher, request: UpstreamRequest): void {
    pool.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: 'POST',
        headers: request.headers,
        body: request.body,
      },
      this,
    );
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Stops reading the response until `resume` (backpressure from the client). */
  pause(): void {
    this.wantPause = true;
    this.controller?.pause();
  }

  resume(): void {
    this.wantPause = false;
    this.controller?.resume();
  }

  /** Aborts the request; no listener method is called after this. */
  abort(reason: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.abortReason = reason;
    if (this.controller !== undefined && !this.controller.aborted) this.controller.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) {
      controller.abort(this.abortReason);
      return;
    }
    if (!this.finished) this.listener.onConnected();
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.controller = controller;
    if (this.finished) return;
    this.listener.onResponseStart(statusCode, headers);
    if (this.wantPause) controller.pause();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return;
    this.listener.onData(chunk);
    if (this.wantPause) controller.pause();
  }

  onResponseEnd(): void {
    if (this.finished) return;
    this.finished = true;
    this.listener.onEnd();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.listener.onError(err);
  }
}
