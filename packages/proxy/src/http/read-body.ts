import type { IncomingMessage } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared';

/** The client went away while sending its body; there is nobody left to answer. */
export class ClientAbortedError extends Error {
  constructor() {
    super('the client closed the connection while sending the request body');
    this.name = 'ClientAbortedError';
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    ErrorCodes.BODY_TOO_LARGE,
    `request body is larger than the limit of ${limit} bytes (proxy.bodyLimit in the gateway config)`,
  );
}

/**
 * Reads a request body into one Buffer, enforcing `limit` while reading: a declared
 * Content-Length over the limit is refused before a byte is read, and a body that grows past
 * it is refused at the chunk that crosses it (the rest is never buffered; the HTTP server
 * drains or drops it after the 413 is sent).
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.pause();
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      reject(new ClientAbortedError());
    };
    const onClose = (): void => {
      if (incoming.readableEnded) return;
      cleanup();
      reject(new ClientAbortedError());
    };

    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
