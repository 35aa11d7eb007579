import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared';
import { writeClientError } from '../forwarding/client-format.js';
import type { ClientFormat } from '../forwarding/client-format.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { RequestRecord } from '../logging/request-record.js';

/**
 * Answers a request that ended in an error of the proxy's own (bad input, no such model or
 * route, no valid key, shutting down, a bug): the error's status and body in the caller's
 * format, written on Node's response, and its code and status on the request record. A body
 * over the limit also closes the connection (the rest of it is never read). When the answer
 * was already under way, which only a bug allows, the connection is cut instead.
 */
export function failRequest(
  outgoing: ServerResponse,
  record: RequestRecord,
  thrown: unknown,
  format: ClientFormat,
  logger: ProxyLogger,
): void {
  const err = errorFrom(thrown);
  record.error = err.code;
  if (err.code === ErrorCodes.INTERNAL) {
    logger.error({ err: thrown, reqId: record.reqId }, 'request failed inside the proxy');
  }
  if (outgoing.headersSent) {
    outgoing.destroy();
    return;
  }
  record.status = err.status;
  // The rest of the body is never read: a body over the limit, or one that stopped coming.
  if (err.code === ErrorCodes.BODY_TOO_LARGE || err.status === 408) {
    outgoing.setHeader('connection', 'close');
  }
  writeClientError(outgoing, err, record.reqId, format);
}

/** The error for a request that came in once shutdown began; its connection closes after it. */
export function shuttingDown(outgoing: ServerResponse): GatewayError {
  outgoing.setHeader('connection', 'close');
  return new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the gateway proxy is shutting down');
}
