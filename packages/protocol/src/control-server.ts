import * as zmq from 'zeromq';
import { bindServerSocket, closeBoundSocket } from './bound-socket.js';
import type { BoundSocket } from './bound-socket.js';
import type { CurveServerOptions } from './curve.js';
import { INTERNAL_ERROR_PAYLOAD, toErrorPayload } from './error-payload.js';
import type { Command, ErrorPayload, ReplyEnvelope } from './messages.js';
import { PROTOCOL_VERSION } from './messages.js';
import { decodeRequest } from './request-decoder.js';
import { SerialQueue } from './serial-queue.js';
import { ignoreWarning } from './warning.js';
import type { WarningHandler } from './warning.js';

export type CommandHandler = (command: Command) => Promise<unknown>;

export interface ControlServerOptions {
  /** `ipc:///run/dir/control.sock` or, with `curve`, `tcp://host:port` (port `*` = OS-assigned). */
  endpoint: string;
  /** Runs one command; its result is the reply. Called concurrently for concurrent requests. */
  handler: CommandHandler;
  onWarning?: WarningHandler;
  /** Makes the socket a CURVE server: clients must know its public key. */
  curve?: CurveServerOptions;
  /** Larger inbound messages make libzmq drop the peer's connection. Default 1 MiB. */
  maxMessageBytes?: number;
}

/**
 * The supervisor's end of the control protocol: a ROUTER socket that validates every request,
 * runs handlers concurrently (a long `ensure` never blocks a `status`) and routes each reply to
 * the peer that asked, whenever its handler settles. A malformed request gets an error reply;
 * nothing a peer sends can crash the server.
 */
export class ControlServer {
  private bound: BoundSocket<zmq.Router> | undefined;
  private readonly queue = new SerialQueue();
  private readonly warn: WarningHandler;
  private inFlight = 0;

  constructor(private readonly options: ControlServerOptions) {
    this.warn = options.onWarning ?? ignoreWarning;
  }

  /** The endpoint actually bound (with the real port for `tcp://...:*`), or the configured one. */
  get endpoint(): string {
    return this.bound?.endpoint ?? this.options.endpoint;
  }

  /** Requests whose handler has not settled yet. */
  get pendingRequests(): number {
    return this.inFlight;
  }

  /** Binds the socket. Rejects with ENDPOINT_IN_USE when a live process holds an ipc endpoint. */
  async start(): Promise<void> {
    if (this.bound !== undefined) throw new Error('control server already started');
    const { endpoint, curve, maxMessageBytes = 1024 * 1024 } = this.options;
    const create = () => new zmq.Router({ linger: 0, maxMessageSize: maxMessageBytes });
    this.bound = await bindServerSocket(create, endpoint, curve);
    void this.receive(this.bound.socket);
  }

  /**
   * Closes the socket (and removes its ipc file). Handlers still running finish, but their replies are dropped
   * (the clients time out or see the connection go).
   */
  async close(): Promise<void> {
    const bound = this.bound;
    if (bound === undefined) return;
    this.bound = undefined;
    await closeBoundSocket(bound);
  }

  /** The socket while it is open; replies of a closed socket are dropped. */
  private get socket(): zmq.Router | undefined {
    return this.bound?.socket;
  }

  private async receive(socket: zmq.Router): Promise<void> {
    try {
      for await (const [identity, ...frames] of socket) {
        if (identity !== undefined) this.onRequest(socket, identity, frames);
      }
    } catch (error) {
      if (this.socket === socket) this.warn('control socket stopped receiving', { err: error });
    }
  }

  private onRequest(socket: zmq.Router, identity: Buffer, frames: Buffer[]): void {
    const decoded = decodeRequest(frames);
    if (!decoded.ok) {
      this.warn('rejected a malformed control request', {
        code: decoded.error.code,
        reason: decoded.error.message,
      });
      this.reply(socket, identity, {
        v: PROTOCOL_VERSION,
        id: decoded.id,
        ok: false,
        error: decoded.error,
      });
      return;
    }
    void this.run(socket, identity, decoded.id, decoded.command);
  }

  private async run(socket: zmq.Router, identity: Buffer, id: string, command: Command) {
    this.inFlight += 1;
    let reply: ReplyEnvelope;
    try {
      const result: unknown = await this.options.handler(command);
      reply = { v: PROTOCOL_VERSION, id, ok: true, result: result ?? null };
    } catch (error) {
      const { payload, coded } = toErrorPayload(error);
      if (!coded) this.warn('control handler failed', { cmd: command.cmd, err: error });
      reply = { v: PROTOCOL_VERSION, id, ok: false, error: payload };
    } finally {
      this.inFlight -= 1;
    }
    this.reply(socket, identity, reply);
  }

  private reply(socket: zmq.Router, identity: Buffer, reply: ReplyEnvelope): void {
    if (this.socket !== socket) return;
    let frame: string;
    try {
      frame = JSON.stringify(reply);
    } catch (error) {
      this.warn('control reply is not serialisable', { id: reply.id, err: error });
      const fallback: ErrorPayload = INTERNAL_ERROR_PAYLOAD;
      frame = JSON.stringify({ v: PROTOCOL_VERSION, id: reply.id, ok: false, error: fallback });
    }
    void this.queue
      .run(() => (this.socket === socket ? socket.send([identity, frame]) : Promise.resolve()))
      .catch((error: unknown) => {
        if (this.socket === socket) this.warn('could not send a control reply', { err: error });
      });
  }
}
