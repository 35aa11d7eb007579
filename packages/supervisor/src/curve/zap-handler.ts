import { timingSafeEqual } from 'node:crypto';
import * as zmq from 'zeromq';
import { z85Decode } from './z85.js';

/** Where libzmq sends the authentication requests of every CURVE server socket (ZeroMQ RFC 27/ZAP). */
export const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

export interface ZapHandlerOptions {
  /** Z85 public keys of the clients let in. */
  allowedClientKeys: readonly string[];
  /** Told about each refused handshake (the peer address, never a key). */
  onDenied?: (address: string) => void;
  /** Told when the handler stops receiving unexpectedly. */
  onError?: (err: unknown) => void;
}

/**
 * Authenticates CURVE clients by their public key. Without a ZAP handler a CURVE server accepts
 * any client that knows the server's public key (which is not a secret: it sits in the config
 * file); with this one bound before the sockets, only the configured client key pair gets in.
 * Bind it before the CURVE sockets and close it after them: libzmq accepts every client while
 * no handler is bound.
 */
export class ZapHandler {
  private socket: zmq.Reply | undefined;
  private readonly allowed: Buffer[];

  constructor(private readonly options: ZapHandlerOptions) {
    this.allowed = options.allowedClientKeys.map((key) => {
      const bytes = z85Decode(key);
      if (bytes?.length !== 32)
        throw new Error('a CURVE client public key is not 40 Z85 characters');
      return bytes;
    });
  }

  async start(): Promise<void> {
    if (this.socket !== undefined) throw new Error('ZAP handler already started');
    const socket = new zmq.Reply({ linger: 0 });
    try {
      await socket.bind(ZAP_ENDPOINT);
    } catch (err) {
      socket.close();
      throw err;
    }
    this.socket = socket;
    void this.serve(socket);
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  /** The reply frames for one ZAP request: 200 for an allowed CURVE key, 400 otherwise. */
  decide(frames: Buffer[]): Buffer[] {
    const [version, requestId, , address, , mechanism, credential] = frames;
    const reply = (status: string, text: string): Buffer[] =>
      [version ?? '1.0', requestId ?? '', status, text, '', ''].map((f) =>
        Buffer.isBuffer(f) ? f : Buffer.from(f),
      );
    if (version?.toString() !== '1.0') return reply('500', 'unsupported ZAP version');
    const key = mechanism?.toString() === 'CURVE' ? credential : undefined;
    if (key !== undefined && key.length === 32 && this.isAllowed(key)) return reply('200', 'OK');
    this.options.onDenied?.(address?.toString() ?? '');
    return reply('400', 'client key not allowed');
  }

  /** Compares with every allowed key, without an early exit. */
  private isAllowed(key: Buffer): boolean {
    let found = false;
    for (const allowed of this.allowed) if (timingSafeEqual(allowed, key)) found = true;
    return found;
  }

  private async serve(socket: zmq.Reply): Promise<void> {
    try {
      for await (const frames of socket) await socket.send(this.decide(frames));
    } catch (err) {
      if (this.socket === socket) this.options.onError?.(err);
    }
  }
}
