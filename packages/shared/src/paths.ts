import { mkdirSync, chmodSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every file the gateway keeps, derived from one home directory. */
export interface GatewayPaths {
  home: string;
  config: string;
  runDir: string;
  logsDir: string;
  controlSocket: string;
  eventsSocket: string;
  registry: string;
  supervisorPidFile: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['MLX_GATEWAY_HOME'];
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.mlx-gateway'));
}

export function gatewayPaths(home: string): GatewayPaths {
  const runDir = join(home, 'run');
  return {
    home,
    config: join(home, 'config.yaml'),
    runDir,
    logsDir: join(home, 'logs'),
    controlSocket: join(runDir, 'control.sock'),
    eventsSocket: join(runDir, 'events.sock'),
    registry: join(runDir, 'children.json'),
    supervisorPidFile: join(runDir, 'supervisor.pid'),
  };
}

/** Creates a directory (and parents) private to the user: mode 0700, tightened if it already existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/** Creates home, run and logs directories with mode 0700 and returns the paths. */
export function preparePaths(home: string): GatewayPaths {
  const paths = gatewayPaths(home);
  ensurePrivateDir(paths.home);
  ensurePrivateDir(paths.runDir);
  ensurePrivateDir(paths.logsDir);
  return paths;
}
