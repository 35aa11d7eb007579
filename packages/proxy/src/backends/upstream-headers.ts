import type { IncomingHttpHeaders } from 'node:http';

/**
 * Client headers passed on to an upstream. An allowlist: hop-by-hop headers, Host, lengths and
 * encodings are the proxy's business, and the client's credentials (Authorization, API keys,
 * cookies) are for the gateway, never for an upstream.
 */
const FORWARDED = ['accept', 'accept-language', 'user-agent', 'traceparent', 'tracestate'] as const;

/** Headers of an upstream request: the forwarded client headers, then the proxy's own. */
export function upstreamHeaders(
  client: IncomingHttpHeaders,
  reqId: string,
  extra?: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = client[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (extra !== undefined) Object.assign(headers, extra);
  headers['content-type'] = 'application/json';
  headers['x-request-id'] = reqId;
  return headers;
}
