import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';
import { hostRefusal, type SsrfPolicy } from './ssrf-policy.js';

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

/**
 * Static SSRF check of an outbound URL: http(s) only, no credentials in the URL, and a
 * host (in any IPv4/IPv6 spelling, after IDN mapping) that the policy allows. The URL is
 * parsed with the WHATWG parser, the same one undici uses, so what is checked is what
 * gets connected to: send requests to the returned `url`, not to the input string.
 *
 * A host name is not resolved here; it is checked again at connect time, address by
 * address, by the guarded agent (createGuardedAgent), which also stops DNS rebinding.
 * Reasons never repeat the URL's credentials, path or query.
 */
export function checkUrl(input: string, policy: SsrfPolicy = {}): UrlCheck {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    return { ok: false, reason: `scheme "${url.protocol}" is not allowed; use http: or https:` };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      reason: 'the URL contains credentials (user:password@); put keys in headers instead',
    };
  }
  const refused = hostRefusal(url.hostname, policy);
  if (refused !== undefined) return { ok: false, reason: refused };
  return { ok: true, url };
}

/** checkUrl that throws a GatewayError SSRF_BLOCKED with the reason. */
export function assertSafeUrl(input: string, policy: SsrfPolicy = {}): URL {
  const result = checkUrl(input, policy);
  if (!result.ok) {
    throw new GatewayError(ErrorCodes.SSRF_BLOCKED, `outbound URL refused: ${result.reason}`, {
      details: { reason: result.reason },
    });
  }
  return result.url;
}
