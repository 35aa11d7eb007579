import { existsSync, readFileSync } from 'node:fs';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { pingSupervisor } from '../supervisor-process.js';
import { fail, ok, warn, type Finding } from './finding.js';

const CHECK = 'supervisor';

function recordedPid(home: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(gatewayPaths(home).supervisorPidFile, 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Whether the supervisor answers; one that runs but does not answer is broken. */
export async function checkSupervisor(config: GatewayConfig): Promise<Finding[]> {
  const endpoint = config.supervisor.controlEndpoint;
  // No socket file: nobody can answer, no need to wait for a ping to time out.
  const noSocket = endpoint.startsWith('ipc://') && !existsSync(endpoint.slice('ipc://'.length));
  const pong = noSocket ? undefined : await pingSupervisor(config, 1_500);
  if (pong) return [ok(CHECK, `the supervisor answers on ${endpoint} (pid ${pong.pid})`)];
  const pid = recordedPid(config.home);
  if (pid !== undefined) {
    return [
      fail(
        CHECK,
        `the supervisor (pid ${pid}) runs but does not answer on ${endpoint}`,
        `see \`mlx-gateway logs supervisor\`; stop it (\`kill ${pid}\`) and run \`mlx-gateway up\``,
      ),
    ];
  }
  const tcp = endpoint.startsWith('tcp://')
    ? ' (over TCP: check that supervisor.curve holds the keys the supervisor uses)'
    : '';
  return [
    warn(
      CHECK,
      `no supervisor answers on ${endpoint}${tcp}`,
      'start the gateway with `mlx-gateway up`',
    ),
  ];
}
