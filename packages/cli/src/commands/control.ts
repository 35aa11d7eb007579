import { existsSync } from 'node:fs';
import { type Command, type CommandResults } from '@mlx-gateway/protocol';
import { loadConfig, resolveHome, type GatewayConfig } from '@mlx-gateway/shared';
import { modelTable } from '../format.js';
import { openSupervisorClient } from '../supervisor-client.js';

export interface GlobalOptions {
  config?: string;
}

export function configFor(opts: GlobalOptions): GatewayConfig {
  return loadConfig({ file: opts.config, home: resolveHome() });
}

/** One command over the control socket, with a clear message when no supervisor answers. */
export async function call<C extends Command['cmd']>(
  config: GatewayConfig,
  body: Extract<Command, { cmd: C }>,
  timeoutMs = 5_000,
): Promise<CommandResults[C]> {
  const endpoint = config.supervisor.controlEndpoint;
  const noSupervisor = () => {
    const tcp = endpoint.startsWith('tcp://')
      ? '; over TCP, check that supervisor.curve holds the keys the supervisor uses'
      : '';
    return new Error(
      `no supervisor answers on ${endpoint} (start one with \`mlx-gateway up\`${tcp})`,
    );
  };
  // No socket file: nobody can answer, so say so at once instead of waiting for the timeout.
  if (endpoint.startsWith('ipc://') && !existsSync(endpoint.slice('ipc://'.length)))
    throw noSupervisor();
  const client = await openSupervisorClient(config, timeoutMs);
  try {
    return await client.request(body);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SUPERVISOR_TIMEOUT' || code === 'SUPERVISOR_UNAVAILABLE') throw noSupervisor();
    throw err;
  } finally {
    client.close();
  }
}

export async function status(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const snap = await call(configFor(opts), { cmd: 'status' });
  process.stdout.write(
    opts.json ? `${JSON.stringify(snap, null, 2)}\n` : `${modelTable(snap.models)}\n`,
  );
}

/** Starting a model can take minutes (MLX loads before it listens): no short timeout. */
const START_TIMEOUT_MS = 30 * 60_000;

export async function modelCommand(
  cmd: 'start' | 'stop' | 'promote' | 'clear',
  model: string,
  opts: GlobalOptions,
): Promise<void> {
  const info = await call(
    configFor(opts),
    { cmd, model },
    cmd === 'start' || cmd === 'stop' ? START_TIMEOUT_MS : 5_000,
  );
  process.stdout.write(`${modelTable([info])}\n`);
}

export async function logs(model: string, opts: GlobalOptions & { lines?: string }): Promise<void> {
  const res = await call(configFor(opts), {
    cmd: 'logs',
    model,
    lines: opts.lines ? Number(opts.lines) : 100,
  });
  process.stdout.write(res.lines.map((l) => `${l}\n`).join(''));
}

export async function down(opts: GlobalOptions): Promise<void> {
  await call(configFor(opts), { cmd: 'shutdown' });
  process.stdout.write('supervisor is shutting down\n');
}
