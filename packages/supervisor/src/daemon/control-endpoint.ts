import { ErrorCodes, ProtocolError, curveAvailable } from '@mlx-gateway/protocol';
import type { SupervisorConfig } from '@mlx-gateway/shared';

/**
 * The control socket is for the local user only: ipc:// sockets live in a 0700 directory. A TCP
 * endpoint would be open to anyone who can reach the port, so it is refused unless CURVE
 * authentication is configured and available.
 */
export function checkControlEndpoint(sv: SupervisorConfig): void {
  for (const endpoint of [sv.controlEndpoint, sv.eventsEndpoint]) {
    if (endpoint.startsWith('ipc://')) continue;
    if (!endpoint.startsWith('tcp://')) {
      throw new ProtocolError(
        ErrorCodes.CONFIG_INVALID,
        `unsupported supervisor endpoint '${endpoint}' (use ipc:// or tcp://)`,
      );
    }
    const curve = (sv as SupervisorConfig & { curve?: unknown }).curve;
    if (!curve) {
      throw new ProtocolError(
        ErrorCodes.CONFIG_INVALID,
        `refusing to listen on ${endpoint} without authentication: a TCP control endpoint requires CURVE keys (supervisor.curve)`,
      );
    }
    if (!curveAvailable()) {
      throw new ProtocolError(
        ErrorCodes.CONFIG_INVALID,
        'this ZeroMQ build has no CURVE support; a TCP control endpoint cannot be secured',
      );
    }
  }
}
