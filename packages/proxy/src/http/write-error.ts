import type { ServerResponse } from 'node:http';
import { errorFrom, toOpenAIErrorBody } from '@mlx-gateway/shared';
import type { GatewayError } from '@mlx-gateway/shared';

/** Answers with an OpenAI-format error body and the error's status, straight on the socket. */
export function writeErrorResponse(
  res: ServerResponse,
  thrown: unknown,
  reqId: string,
): GatewayError {
  const err = errorFrom(thrown);
  if (res.headersSent || res.destroyed) return err;
  const body = JSON.stringify(toOpenAIErrorBody(err));
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': reqId,
  });
  res.end(body);
  return err;
}
