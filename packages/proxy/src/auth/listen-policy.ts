import { isIP } from 'node:net';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { ClientKeyVerifier } from '@mlx-gateway/shared/clients';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { GatewayConfig } from '@mlx-gateway/shared/config';

/** True for addresses only this machine can reach: `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) {
    // The URL parser writes IPv6 in its shortest form, and an IPv4-mapped address in hex.
    let canonical: string;
    try {
      canonical = new URL(`http://[${name}]/`).hostname;
    } catch {
      return false; // a zone id (fe80::1%en0): link-local, not loopback
    }
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
  }
  return false;
}

/**
 * Without client keys the gateway answers anyone who can connect, with the operator's upstream
 * keys: that is only acceptable on loopback. A non-loopback host (0.0.0.0, ::, a LAN address, a
 * host name) is refused unless client keys exist, with a message that says how to create one.
 */
export function assertListenAllowed(host: string, port: number, hasClientKeys: boolean): void {
  if (hasClientKeys || isLoopbackHost(host)) return;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  throw new GatewayError(
    ErrorCodes.CONFIG_INVALID,
    `refusing to listen on ${where} without client keys: anyone who can reach that address could use the gateway and its upstream API keys. ` +
      'Create a client key with `mlx-gateway keys create-client NAME` (clients then send `Authorization: Bearer <key>` or `x-api-key: <key>`), ' +
      'or listen on 127.0.0.1',
  );
}

/**
 * The start-up refusal on its own, for a launcher that starts other processes first (`mlx-gateway
 * up` checks before it starts the supervisor). Also rejects an unreadable clients.json.
 */
export async function checkProxyListen(config: GatewayConfig): Promise<void> {
  const verifier = await ClientKeyVerifier.load(config.home);
  assertListenAllowed(config.proxy.host, config.proxy.port, verifier.size > 0);
}
