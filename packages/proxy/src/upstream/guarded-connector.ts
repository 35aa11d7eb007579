import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { checkUrl, createGuardedLookup } from '@mlx-gateway/shared/security';
import type { GuardedResolver, SsrfPolicy } from '@mlx-gateway/shared/security';
import { buildConnector } from '@mlx-gateway/shared/undici';
import type { buildConnector as UndiciConnector } from 'undici';

export interface GuardedConnectorOptions {
  /** TCP/TLS connect timeout in ms. */
  timeoutMs: number;
  /** Resolver for the guarded lookup (tests inject one); default dns.lookup. */
  resolver?: GuardedResolver;
  /** Told why a connection was refused; the client only learns that it was. */
  onRefused?: (reason: string) => void;
}

/** What the client sees for a refused connection: no address, no range, no host. */
function refusedError(): GatewayError {
  return new GatewayError(
    ErrorCodes.UPSTREAM_UNREACHABLE,
    "the upstream's address is refused by the gateway's outbound (SSRF) policy; the gateway log says why",
    { details: { reason: ErrorCodes.SSRF_BLOCKED } },
  );
}

function reasonOf(err: unknown): string | undefined {
  if (!(err instanceof GatewayError) || err.code !== ErrorCodes.SSRF_BLOCKED) return undefined;
  const reason = err.details?.['reason'];
  return typeof reason === 'string' ? reason : err.message;
}

/**
 * The `connect` option of a remote upstream's pool: every new connection is checked against
 * the SSRF policy at connect time. An IP-literal host is checked before connecting (Node does
 * not call `lookup` for it); a host name is resolved by the guarded lookup, which refuses the
 * connection if any address it resolves to is refused, and connects to exactly the addresses
 * it checked (no DNS rebinding between check and connect).
 */
export function guardedConnector(
  policy: SsrfPolicy,
  options: GuardedConnectorOptions,
): UndiciConnector.connector {
  const connect = buildConnector({
    timeout: options.timeoutMs,
    lookup: createGuardedLookup(policy, options.resolver),
  });
  const refuse = (reason: string, callback: UndiciConnector.Callback): void => {
    options.onRefused?.(reason);
    callback(refusedError(), null);
  };
  return (connectOptions, callback) => {
    const { hostname, protocol } = connectOptions;
    const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
    const literal = checkUrl(`${protocol}//${host}/`, policy);
    if (!literal.ok) {
      refuse(literal.reason, callback);
      return;
    }
    connect(connectOptions, (...args) => {
      const reason = reasonOf(args[0]);
      if (reason === undefined) callback(...args);
      else refuse(reason, callback);
    });
  };
}
