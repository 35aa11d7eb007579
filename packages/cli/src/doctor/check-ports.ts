import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { GatewayConfig, PortRange } from '@mlx-gateway/shared/config';
import { findPortHolder } from '../port-holder.js';
import { fail, ok, warn, type Finding } from './finding.js';

const CHECK = 'ports';
/** A range is sampled up to this many ports: enough to say whether models can get one. */
const MAX_RANGE_PROBES = 200;

/** Whether this user could listen on host:port right now. */
export async function canListen(host: string, port: number): Promise<boolean | string> {
  const server = createServer();
  try {
    server.listen({ host, port, exclusive: true });
    await once(server, 'listening');
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EADDRINUSE' ? false : (code ?? 'error');
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}

/** The URL the running `up` of this home recorded (run/up.pid), when its process lives. */
function runningUpUrl(home: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(join(home, 'run', 'up.pid'), 'utf8')) as {
      pid?: number;
      url?: string;
    };
    if (!Number.isInteger(record.pid)) return undefined;
    process.kill(record.pid!, 0);
    return record.url;
  } catch {
    return undefined;
  }
}

async function checkListen(config: GatewayConfig): Promise<Finding> {
  const { host, port } = config.proxy;
  const result = await canListen(host, port);
  if (result === true) return ok(CHECK, `${host}:${port} (listen) is free`);
  const ours = runningUpUrl(config.home);
  if (ours !== undefined && new URL(ours).port === String(port)) {
    return ok(CHECK, `${host}:${port} (listen) is this gateway's own (mlx-gateway up is running)`);
  }
  if (result !== false) {
    return fail(
      CHECK,
      `cannot listen on ${host}:${port}: ${result}`,
      'choose another address with `listen:` in the config or `mlx-gateway up --port N`',
    );
  }
  const holder = findPortHolder(port);
  const by = holder
    ? ` by pid ${holder.pid}${holder.command ? ` (${holder.command.slice(0, 80)})` : ''}`
    : '';
  return fail(
    CHECK,
    `${host}:${port} (listen) is already in use${by}`,
    'stop that program, or choose another port with `listen:` in the config or `mlx-gateway up --port N`',
  );
}

async function checkRange(name: string, range: PortRange): Promise<Finding> {
  const size = range.to - range.from + 1;
  const probes = Math.min(size, MAX_RANGE_PROBES);
  let free = 0;
  for (let port = range.from; port < range.from + probes; port += 1) {
    if ((await canListen('127.0.0.1', port)) === true) free += 1;
  }
  const what = `supervisor.ports.${name} (${range.from}-${range.to})`;
  if (free === 0) {
    return fail(
      CHECK,
      `no port of ${what} is free${probes < size ? ` (the first ${probes} tried)` : ''}: models cannot start`,
      `choose another range in supervisor.ports.${name}, or stop what holds these ports`,
    );
  }
  if (free < probes) {
    return warn(
      CHECK,
      `${probes - free} of the ${probes} ports of ${what} tried are taken (by running models or other programs); ${free} free`,
      'nothing to do unless models fail with NO_FREE_PORT; then widen the range',
    );
  }
  return ok(CHECK, `${what}: every port tried is free`);
}

/** The proxy's listen address and the model port ranges. */
export async function checkPorts(config: GatewayConfig): Promise<Finding[]> {
  return [
    await checkListen(config),
    await checkRange('gateway', config.supervisor.gatewayPorts),
    await checkRange('operator', config.supervisor.operatorPorts),
  ];
}
