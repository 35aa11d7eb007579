import type { IncomingMessage } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { formatDuration } from '@mlx-gateway/shared/units';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';

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

/** How long a body may take to arrive, watched on the proxy's clock. */
export interface BodyDeadline {
  clock: Clock;
  ms: number;
}

function tooSlow(ms: number): GatewayError {
  return new GatewayError(
    ErrorCodes.INVALID_REQUEST,
    `request body did not arrive within ${formatDuration(ms)} (proxy.bodyTimeout in the gateway config)`,
    { status: 408 },
  );
}

/**
 * Reads a request body into one Buffer, enforcing `limit` while reading: a declared
 * Content-Length over the limit is refused before a byte is read, and a body that grows past
 * it is refused at the chunk that crosses it (the rest is never buffered; the HTTP server
 * drains or drops it after the 413 is sent). A body still incomplete after `deadline.ms` is
 * refused with 408 (the connection is closed after the answer).
 */
export function readBody(
  incoming: IncomingMessage,
  limit: number,
  deadline?: BodyDeadline,
): Promise<Buffer> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(tooLarge(limit));
  }
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: Timer | undefined;

    const cleanup = (): void => {
      timer?.cancel();
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
    if (deadline !== undefined) {
      timer = deadline.clock.timer(deadline.ms, () => {
        cleanup();
        incoming.pause();
        chunks.length = 0;
        reject(tooSlow(deadline.ms));
      });
    }
  });
}
