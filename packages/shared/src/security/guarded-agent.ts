import type { Agent as UndiciAgent, buildConnector as UndiciConnector } from 'undici';
import { Agent, buildConnector } from '../undici/index.js';
import { createGuardedLookup, ssrfBlockedError, type GuardedResolver } from './guarded-lookup.js';
import { hostRefusal, type SsrfPolicy } from './ssrf-policy.js';

export interface GuardedAgentOptions {
  /** Resolver used by the guarded lookup (tests inject one); defaults to dns.lookup. */
  resolver?: GuardedResolver;
  /** TCP/TLS connect timeout; default 10 s. */
  connectTimeout?: number;
  /** Until the response headers arrive; default 300 s. */
  headersTimeout?: number;
  /** Longest gap between two body chunks; default 300 s. */
  bodyTimeout?: number;
  /** Largest response body accepted, in bytes; default unlimited (-1). */
  maxResponseSize?: number;
  connections?: number;
  keepAliveTimeout?: number;
  pipelining?: number;
  /** Extra TLS options, e.g. `ca` for a private CA. The lookup cannot be overridden. */
  tls?: Omit<UndiciConnector.BuildOptions, 'lookup' | 'timeout'>;
}

/**
 * An undici Agent whose every connection passes the SSRF policy:
 *
 * - IP-literal hosts are checked before connecting (net.connect does not call `lookup`
 *   for them), host names through the guarded lookup, on every new connection; a DNS
 *   answer that turns private after validation (rebinding) is refused at connect time.
 * - Redirects are not followed: undici 7 only follows them through the redirect
 *   interceptor, which must not be composed onto this agent. A 302 comes back as a 302.
 *   `fetch()` follows redirects by itself; each hop then still connects through this
 *   guard, but prefer `redirect: 'manual'` or `request()`.
 * - Time and size bounds (`headersTimeout`, `bodyTimeout`, `maxResponseSize`,
 *   `connectTimeout`) are passed to undici.
 */
export function createGuardedAgent(
  policy: SsrfPolicy,
  options: GuardedAgentOptions = {},
): UndiciAgent {
  const connector = buildConnector({
    ...options.tls,
    timeout: options.connectTimeout ?? 10_000,
    lookup: createGuardedLookup(policy, options.resolver),
  });
  const connect: UndiciConnector.connector = (connectOptions, callback) => {
    const refused = hostRefusal(connectOptions.hostname, policy);
    if (refused !== undefined) {
      callback(ssrfBlockedError(refused), null);
      return;
    }
    connector(connectOptions, callback);
  };
  const agentOptions: UndiciAgent.Options = {
    connect,
    headersTimeout: options.headersTimeout ?? 300_000,
    bodyTimeout: options.bodyTimeout ?? 300_000,
  };
  if (options.maxResponseSize !== undefined) agentOptions.maxResponseSize = options.maxResponseSize;
  if (options.connections !== undefined) agentOptions.connections = options.connections;
  if (options.keepAliveTimeout !== undefined) {
    agentOptions.keepAliveTimeout = options.keepAliveTimeout;
  }
  if (options.pipelining !== undefined) agentOptions.pipelining = options.pipelining;
  return new Agent(agentOptions);
}
