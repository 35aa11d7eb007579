import { chmod } from 'node:fs/promises';
import { ErrorCodes, ProtocolError, curveAvailable } from '@mlx-gateway/protocol';
import { resolveCurveServerKeys } from '@mlx-gateway/shared/secrets';
import type { GatewayConfig, SupervisorConfig } from '@mlx-gateway/shared/config';
import type { CurveServerKeys } from '@mlx-gateway/shared/secrets';

/**
 * The control socket is for the local user only: ipc:// sockets live in a 0700 directory (and
 * are themselves 0600). A TCP endpoint would be open to anyone who can reach the port, so it is
 * refused unless CURVE keys are configured (`supervisor.curve`) and this ZeroMQ build supports
 * CURVE. Throws CONFIG_INVALID with what to do.
 */
export function checkControlEndpoint(sv: SupervisorConfig, hasCurve = curveAvailable()): void {
  for (const [key, endpoint] of [
    ['control', sv.controlEndpoint],
    ['events', sv.eventsEndpoint],
  ] as const) {
    if (endpoint.startsWith('ipc://')) continue;
    if (!endpoint.startsWith('tcp://')) {
      throw new ProtocolError(
        ErrorCodes.CONFIG_INVALID,
        `unsupported supervisor.${key} endpoint '${endpoint}' (use ipc:// or tcp://)`,
      );
    }
    if (sv.curve === undefined) {
      throw new ProtocolError(
        ErrorCodes.CONFIG_INVALID,
        `refusing to listen on ${endpoint} (supervisor.${key}) without authentication: a TCP endpoint requires CURVE keys; run \`mlx-gateway keys curve\` and add the supervisor.curve section it prints, or use the default ipc:// endpoints`,
      );
    }
  }
  if (sv.curve !== undefined && !hasCurve) {
    throw new ProtocolError(
      ErrorCodes.CONFIG_INVALID,
      'supervisor.curve is set but this ZeroMQ build has no CURVE support (zmq.capability.curve is false), so the control endpoint cannot be secured; install a zeromq build with CURVE or use the default ipc:// endpoints',
    );
  }
}

/** The supervisor's CURVE keys when `supervisor.curve` is set (the secret key resolved from the store or the environment). */
export async function supervisorCurveKeys(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CurveServerKeys | undefined> {
  const curve = config.supervisor.curve;
  if (curve === undefined) return undefined;
  return resolveCurveServerKeys(curve, { home: config.home, env });
}

/**
 * Makes the socket file of a bound ipc:// endpoint readable and writable by its owner only. The
 * default sockets sit in the 0700 run directory already; an endpoint configured elsewhere may
 * not, and connecting to a Unix socket needs write permission on the file.
 */
export async function restrictIpcSocket(endpoint: string): Promise<void> {
  if (!endpoint.startsWith('ipc://')) return;
  const path = endpoint.slice('ipc://'.length);
  if (path === '' || path === '*' || path.startsWith('@')) return;
  await chmod(path, 0o600);
}
