import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, toOpenAIErrorBody } from '@mlx-gateway/shared/errors';

/** Node's own answers to a request it could not parse or did not get in time, by error code. */
const ANSWERS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    message:
      'the request did not arrive in time (proxy.headersTimeout and proxy.bodyTimeout in the gateway config)',
  },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'the request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    message: 'the request chunk extensions are too large',
  },
};
const MALFORMED = { status: 400, message: 'the request is not valid HTTP/1.1' };

/**
 * The server's `clientError` handler: what Node answers by default (408 for headers that took
 * too long, 431, 400), but with a JSON error body in the OpenAI format (the path, and so the
 * caller's API, is not known yet), then the connection is closed. A connection already
 * answering, or gone, is only closed.
 */
export function answerClientError(err: Error & { code?: string }, duplex: Duplex): void {
  const socket = duplex as Socket;
  if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const { status, message } = ANSWERS[err.code ?? ''] ?? MALFORMED;
  const error = new GatewayError(ErrorCodes.INVALID_REQUEST, message, { status });
  const body = JSON.stringify(toOpenAIErrorBody(error));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
  socket.destroySoon?.();
}
