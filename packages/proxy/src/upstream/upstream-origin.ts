/** An upstream base URL split the way a pool needs it. */
export interface UpstreamOrigin {
  /** scheme://host:port, the key of the connection pool. */
  origin: string;
  /** Path prefix of every request, without a trailing slash ('' or '/v1'). */
  basePath: string;
  /** Host name, to be kept out of error messages relayed to clients. */
  hostname: string;
}

const cache = new Map<string, UpstreamOrigin>();

/** Splits a base URL (`http://127.0.0.1:10240`, `https://api.openai.com/v1`); memoised. */
export function upstreamOrigin(baseUrl: string): UpstreamOrigin {
  let parsed = cache.get(baseUrl);
  if (parsed === undefined) {
    const url = new URL(baseUrl);
    parsed = {
      origin: url.origin,
      basePath: url.pathname.replace(/\/+$/, ''),
      hostname: url.hostname,
    };
    cache.set(baseUrl, parsed);
  }
  return parsed;
}
