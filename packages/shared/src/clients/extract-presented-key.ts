import type { HeadersLike } from '../security/redact-deep.js';

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in headers
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
    return value === undefined ? undefined : String(value);
  }
  return undefined;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The client key a request presents: `Authorization: Bearer <key>` (OpenAI clients) or
 * `x-api-key: <key>` (Anthropic clients). Undefined when neither carries one.
 */
export function extractPresentedKey(headers: HeadersLike): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== undefined) {
    const bearer = BEARER.exec(authorization.trim());
    if (bearer?.[1]) return bearer[1];
  }
  const apiKey = headerValue(headers, 'x-api-key')?.trim();
  return apiKey !== undefined && apiKey.length > 0 ? apiKey : undefined;
}
