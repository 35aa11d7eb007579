import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOptions,
} from 'node:dns';
import type { LookupFunction } from 'node:net';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';
import { normalizeHost } from './ip-address.js';
import { addressRefusal, hostRefusal, isHostAllowed, type SsrfPolicy } from './ssrf-policy.js';

/** A resolver with the shape of `dns.lookup(hostname, { all: true }, callback)`. */
export type GuardedResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: GuardedResolver = (hostname, options, callback) => {
  dnsLookup(hostname, options, callback);
};

/** The error a refused connection fails with. */
export function ssrfBlockedError(reason: string): GatewayError {
  return new GatewayError(ErrorCodes.SSRF_BLOCKED, `outbound connection refused: ${reason}`, {
    details: { reason },
  });
}

/**
 * A `lookup` for `net.connect`, `tls.connect` and undici's `connect: { lookup }` that
 * resolves the host, checks EVERY address it resolves to against the policy, and fails
 * with SSRF_BLOCKED if any one is refused. Because the check runs on the very answer the
 * socket connects to, a DNS answer that changes after a URL was validated (rebinding)
 * cannot redirect the connection.
 */
export function createGuardedLookup(
  policy: SsrfPolicy,
  resolver: GuardedResolver = systemResolver,
): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      if (options.all) callback(err, []);
      else callback(err, '', 0);
    };
    const refusedName = hostRefusal(hostname, policy);
    if (refusedName !== undefined) {
      process.nextTick(fail, ssrfBlockedError(refusedName));
      return;
    }
    const host = normalizeHost(hostname);
    const hostAllowed = isHostAllowed(host, policy);
    resolver(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        fail(err);
        return;
      }
      const first = addresses[0];
      if (first === undefined) {
        const notFound: NodeJS.ErrnoException = new Error(`no address found for "${host}"`);
        notFound.code = 'ENOTFOUND';
        fail(notFound);
        return;
      }
      for (const entry of addresses) {
        const refused = addressRefusal(entry.address, policy, { host, hostAllowed });
        if (refused !== undefined) {
          fail(ssrfBlockedError(refused));
          return;
        }
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
