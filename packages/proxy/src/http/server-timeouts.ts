import type { ServerOptions } from 'node:http';
import type { ProxyConfig } from '@mlx-gateway/shared/config';

/** Margin of Node's whole-request timeout over the proxy's own body timeout, which answers first. */
const REQUEST_TIMEOUT_MARGIN_MS = 5_000;
/** How often Node checks its connections for these timeouts (its default is 30 s). */
const CHECK_INTERVAL_MS = 1_000;

/**
 * Node's HTTP server timeouts for slow clients: `headersTimeout` bounds the time to receive a
 * request's headers; the body has its own timeout in the proxied routes (readBody, which
 * answers 408 in the caller's format), and `requestTimeout` is a backstop a little above both.
 * The checks run once a second over every connection, whatever their number.
 */
export function serverTimeouts(
  proxy: Pick<ProxyConfig, 'headersTimeoutMs' | 'bodyTimeoutMs'>,
): ServerOptions {
  return {
    headersTimeout: proxy.headersTimeoutMs,
    requestTimeout: proxy.headersTimeoutMs + proxy.bodyTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS,
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, proxy.headersTimeoutMs),
  };
}
