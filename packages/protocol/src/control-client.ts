import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import * as zmq from 'zeromq';
import { applyCurveClient } from './curve.js';
import type { CurveClientOptions } from './curve.js';
import { ErrorCodes, ProtocolError } from './error-codes.js';
import { formatIssues, summarizeIssues } from './format-issues.js';
import type { Command, CommandName, CommandResults, RequestEnvelope } from './messages.js';
import { PROTOCOL_VERSION, ReplyEnvelopeSchema } from './messages.js';
import { SerialQueue } from './serial-queue.js';
import { ignoreWarning } from './warning.js';
import type { WarningHandler } from './warning.js';

export interface SupervisorClientOptions {
  /** The supervisor's control endpoint (`ipc://...`, or `tcp://...` with `curve`). */
  endpoint: string;
  /** Default deadline of a request, ms: from the call to the reply. Default 5000. */
  timeoutMs?: number;
  /** Talk CURVE: the server's public key and this client's key pair. */
  curve?: CurveClientOptions;
  /** Malformed replies and socket trouble; the client never throws them at a caller. */
  onWarning?: WarningHandler;
}

export interface RequestOptions {
  /** Overrides the client's default deadline for this request. */
  timeoutMs?: number;
  /** Aborting rejects the request with `signal.reason`; a late reply is dropped. */
  signal?: AbortSignal;
}

/** `connect`: a connection to the supervisor is ready; `disconnect`: it was lost. */
export interface SupervisorClientEvents {
  connect: [];
  disconnect: [];
}

interface PendingRequest {
  readonly id: string;
  readonly cmd: CommandName;
  readonly timeoutMs: number;
  readonly deadline: number;
  /** The request left this process (send resolved): a missing reply is now a timeout. */
  written: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The client end of the control protocol, over a DEALER socket (never a REQ socket, whose lost
 * reply would wedge it). Every request carries a correlation id; replies may come in any order
 * and many requests may be in flight. Each request has a deadline; a supervisor that is down
 * makes requests fail with SUPERVISOR_UNAVAILABLE, one that does not answer in time with
 * SUPERVISOR_TIMEOUT. The socket reconnects by itself when the supervisor comes back.
 */
export class SupervisorClient extends EventEmitter<SupervisorClientEvents> {
  readonly endpoint: string;
  private readonly socket: zmq.Dealer;
  private readonly timeoutMs: number;
  private readonly warn: WarningHandler;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly sends = new SerialQueue();
  private readonly idPrefix = `${randomBytes(6).toString('base64url')}-`;
  private nextId = 0;
  private closed = false;
  private isConnected = false;
  /** A failing handshake repeats on every reconnect attempt: report it once per streak. */
  private handshakeFailureReported = false;

  constructor(options: SupervisorClientOptions) {
    super();
    this.endpoint = options.endpoint;
    this.timeoutMs = checkTimeout(options.timeoutMs ?? 5000);
    this.warn = options.onWarning ?? ignoreWarning;
    const socket = new zmq.Dealer({
      linger: 0,
      // Queue only on completed connections: with no supervisor, send waits (up to the
      // request's deadline) instead of queueing a command that would run much later.
      immediate: true,
      reconnectInterval: 100,
      reconnectMaxInterval: 1000,
      sendHighWaterMark: 1000,
      // ZMTP heartbeats notice a dead peer on TCP, where no FIN may ever arrive.
      heartbeatInterval: 2000,
      heartbeatTimeout: 6000,
    });
    try {
      if (options.curve !== undefined) applyCurveClient(socket, options.curve);
      socket.events.on('handshake', () => this.onConnected());
      socket.events.on('disconnect', () => this.onDisconnected());
      for (const failure of [
        'handshake:error:auth',
        'handshake:error:protocol',
        'handshake:error:other',
      ] as const) {
        socket.events.on(failure, (event) => this.onHandshakeFailed(event.error.message));
      }
      socket.connect(options.endpoint);
    } catch (error) {
      socket.close();
      throw error;
    }
    this.socket = socket;
    void this.receive();
  }

  /** Whether a connection to the supervisor is established right now. */
  get connected(): boolean {
    return this.isConnected;
  }

  /** Requests in flight. */
  get pendingRequests(): number {
    return this.pending.size;
  }

  /**
   * Sends one command and resolves with its result. Rejects with a ProtocolError: the
   * supervisor's own error code, SUPERVISOR_UNAVAILABLE (not reachable, or the connection was
   * lost before the reply), SUPERVISOR_TIMEOUT (sent, no reply by the deadline) or SHUTTING_DOWN
   * (the client was closed).
   */
  request<C extends CommandName>(
    body: Extract<Command, { cmd: C }>,
    options: RequestOptions = {},
  ): Promise<CommandResults[C]> {
    if (this.closed) return Promise.reject(shuttingDown());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let timeoutMs: number;
    try {
      timeoutMs = checkTimeout(options.timeoutMs ?? this.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    this.nextId += 1;
    const id = `${this.idPrefix}${this.nextId}`;
    const envelope: RequestEnvelope = { v: PROTOCOL_VERSION, id, body };
    const frame = JSON.stringify(envelope);

    return new Promise<CommandResults[C]>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const request: PendingRequest = {
        id,
        cmd: body.cmd,
        timeoutMs,
        deadline: performance.now() + timeoutMs,
        written: false,
        resolve: (value) => {
          finish();
          resolve(value as CommandResults[C]);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = (): void => request.reject(signal?.reason);
      const timer = setTimeout(() => {
        request.reject(
          request.written
            ? new ProtocolError(
                ErrorCodes.SUPERVISOR_TIMEOUT,
                `the supervisor did not answer '${body.cmd}' within ${timeoutMs} ms`,
                { cmd: body.cmd, timeoutMs },
              )
            : unavailable(this.endpoint, body.cmd, timeoutMs),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, request);
      void this.sends.run(() => this.write(request, frame));
    });
  }

  /** Rejects every pending request with SHUTTING_DOWN and closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const request of [...this.pending.values()]) request.reject(shuttingDown());
    this.socket.close();
    this.isConnected = false;
  }

  private async write(request: PendingRequest, frame: string): Promise<void> {
    if (this.closed || this.pending.get(request.id) !== request) return;
    const remaining = Math.ceil(request.deadline - performance.now());
    if (remaining <= 0) return;
    try {
      this.socket.sendTimeout = remaining;
      await this.socket.send(frame);
      request.written = true;
    } catch {
      if (this.pending.get(request.id) === request) {
        request.reject(unavailable(this.endpoint, request.cmd, request.timeoutMs));
      }
    }
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.socket) this.onReply(frames);
    } catch (error) {
      if (!this.closed) this.warn('control client stopped receiving', { err: error });
    }
  }

  private onReply(frames: Buffer[]): void {
    const [frame] = frames;
    if (frame === undefined || frames.length !== 1) {
      this.warn('ignored a malformed control reply', { reason: `${frames.length} frames` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(frame.toString('utf8'));
    } catch {
      this.warn('ignored a malformed control reply', { reason: 'not JSON' });
      return;
    }
    const parsed = ReplyEnvelopeSchema.safeParse(json);
    if (!parsed.success) {
      this.warn('ignored a malformed control reply', {
        reason: formatIssues(summarizeIssues(parsed.error.issues)),
      });
      return;
    }
    const reply = parsed.data;
    const request = this.pending.get(reply.id);
    // Unknown id: a reply that came after its request timed out, was aborted or closed.
    if (request === undefined) return;
    if (!reply.ok) {
      const { code, message, details } = reply.error;
      request.reject(new ProtocolError(code, message, details));
    } else if (reply.v !== PROTOCOL_VERSION) {
      request.reject(
        new ProtocolError(
          ErrorCodes.UNSUPPORTED_VERSION,
          `the supervisor answered with protocol version ${reply.v}; this client speaks version ${PROTOCOL_VERSION}`,
          { supported: PROTOCOL_VERSION, received: reply.v },
        ),
      );
    } else {
      request.resolve(reply.result);
    }
  }

  private onConnected(): void {
    if (this.closed) return;
    this.isConnected = true;
    this.handshakeFailureReported = false;
    this.emitSafely('connect');
  }

  private onHandshakeFailed(reason: string): void {
    if (this.closed || this.handshakeFailureReported) return;
    this.handshakeFailureReported = true;
    this.warn(
      'the handshake with the supervisor failed (a CURVE key mismatch, or CURVE on one side only?)',
      { endpoint: this.endpoint, reason },
    );
  }

  /**
   * A lost connection loses every request already written to it: the supervisor can no longer
   * route their replies to us. Fail them now rather than at their (possibly minutes-long)
   * deadline; requests not yet written wait for the reconnection.
   */
  private onDisconnected(): void {
    if (this.closed) return;
    this.isConnected = false;
    for (const request of [...this.pending.values()]) {
      if (!request.written) continue;
      request.reject(
        new ProtocolError(
          ErrorCodes.SUPERVISOR_UNAVAILABLE,
          `the connection to the supervisor at ${this.endpoint} was lost before it answered '${request.cmd}'; the command may or may not have taken effect`,
          { cmd: request.cmd, endpoint: this.endpoint },
        ),
      );
    }
    this.emitSafely('disconnect');
  }

  private emitSafely(event: keyof SupervisorClientEvents): void {
    try {
      this.emit(event);
    } catch (error) {
      this.warn(`a '${event}' listener of the supervisor client threw`, { err: error });
    }
  }
}

function checkTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  return timeoutMs;
}

function unavailable(endpoint: string, cmd: CommandName, timeoutMs: number): ProtocolError {
  return new ProtocolError(
    ErrorCodes.SUPERVISOR_UNAVAILABLE,
    `could not reach the supervisor at ${endpoint} within ${timeoutMs} ms to send '${cmd}'; is it running? (mlx-gateway up)`,
    { cmd, endpoint },
  );
}

function shuttingDown(): ProtocolError {
  return new ProtocolError(ErrorCodes.SHUTTING_DOWN, 'the supervisor client was closed');
}
