/** The socket addresses of a caller on this machine's loopback. */
const LOOPBACK_ADDRESSES: ReadonlySet<string> = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Whether a caller connected from loopback: the operator's rule for /metrics, the live events
 * and the dashboard (the gateway's machine is the operator's; a client key opens none of them).
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK_ADDRESSES.has(address);
}
