import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  anthropicStreamErrorEvent,
  errorFrom,
  toAnthropicErrorBody,
  toOpenAIErrorBody,
} from '@mlx-gateway/shared/errors';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import { isAnthropicApiPath } from './anthropic-paths.js';
import { OPENAI_SSE_DIALECT } from './sse-dialect.js';
import type { SseDialect } from './sse-dialect.js';
import { ANTHROPIC_PING_FRAME } from '../translate/sse.js';

/**
 * The API a client speaks, as far as the proxy's own answers go: the body of an error response,
 * the response headers that API's clients expect, and the SSE dialect of a stream (heartbeat and
 * the frames that end a failed stream). Upstream content is shaped by the backends; everything
 * the proxy says itself goes through one of these.
 */
export interface ClientFormat extends SseDialect {
  readonly name: 'openai' | 'anthropic';
  /** The JSON body of an error response. */
  errorBody(err: GatewayError, reqId: string): unknown;
  /** Headers added to every response of this API (the request id under the API's own name). */
  headers(reqId: string): Record<string, string>;
}

export const openAIClientFormat: ClientFormat = {
  name: 'openai',
  ...OPENAI_SSE_DIALECT,
  errorBody: (err) => toOpenAIErrorBody(err),
  headers: () => ({}),
};

/**
 * Anthropic's: `{type: "error", error: {type, message}, request_id}` bodies, a `request-id`
 * header (the Anthropic SDKs read it), `event: ping` heartbeats and a final `event: error`.
 */
export const anthropicClientFormat: ClientFormat = {
  name: 'anthropic',
  heartbeat: Buffer.from(ANTHROPIC_PING_FRAME),
  errorEnd: (err) => Buffer.from(anthropicStreamErrorEvent(err)),
  errorBody: (err, reqId) => toAnthropicErrorBody(err, { requestId: reqId }),
  headers: (reqId) => ({ 'request-id': reqId }),
};

/** The format of the API a request path belongs to. */
export function clientFormatFor(path: string): ClientFormat {
  return isAnthropicApiPath(path) ? anthropicClientFormat : openAIClientFormat;
}

/**
 * Answers with the format's error body and the error's status, straight on the socket; returns
 * the body's size in bytes (0 when the answer was already under way), for the request's bytes out.
 */
export function writeClientError(
  res: ServerResponse,
  thrown: unknown,
  reqId: string,
  format: ClientFormat,
): number {
  const err = errorFrom(thrown);
  if (res.headersSent || res.destroyed) return 0;
  const body = JSON.stringify(format.errorBody(err, reqId));
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': reqId,
    ...format.headers(reqId),
  };
  // A refusal that says when to come back (a model in backoff, a full model queue): Retry-After,
  // as clients and SDKs expect.
  const retryAfter = err.details?.['retryAfterSeconds'];
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  res.writeHead(err.status, headers);
  res.end(body);
  return headers['content-length'] as number;
}
