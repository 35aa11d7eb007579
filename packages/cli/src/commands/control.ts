import { existsSync } from 'node:fs';
import { type Command, type CommandResults } from '@mlx-gateway/protocol';
import { closestMatches, loadConfig, type GatewayConfig } from '@mlx-gateway/shared/config';
import { resolveHome } from '@mlx-gateway/shared/paths';
import { explainSpawnText } from '../explain-error.js';
import { modelTable, queueTable } from '../format.js';
import { openSupervisorClient } from '../supervisor-client.js';

export interface GlobalOptions {
  config?: string;
}

export function configFor(opts: GlobalOptions): GatewayConfig {
  return loadConfig({ file: opts.config, home: resolveHome() });
}

/** Nobody answers on the control endpoint (no supervisor runs, or it cannot be reached). */
export class NoSupervisorError extends Error {
  override name = 'NoSupervisorError';
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
    return new NoSupervisorError(
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
  const queues = opts.json ? '' : queueTable(snap.models);
  if (queues !== '') process.stdout.write(`\n${queues}\n`);
}

/** Starting a model can take minutes (MLX loads before it listens): no short timeout. */
const START_TIMEOUT_MS = 30 * 60_000;

export async function modelCommand(
  cmd: 'start' | 'stop' | 'promote' | 'clear',
  model: string,
  opts: GlobalOptions,
): Promise<void> {
  const config = configFor(opts);
  assertModelKnown(config, model);
  let info;
  try {
    info = await call(
      config,
      { cmd, model },
      cmd === 'start' || cmd === 'stop' ? START_TIMEOUT_MS : 5_000,
    );
  } catch (err) {
    if (err instanceof Error) err.message = explainSpawnText(err.message, model);
    throw err;
  }
  process.stdout.write(`${modelTable([info])}\n`);
}

/** Every name a model answers to in this config: names and aliases. */
export function modelNames(config: GatewayConfig): string[] {
  return config.models.flatMap((m) => [m.name, ...m.aliases]);
}

/**
 * A typo is caught here with the suggestion HTTP clients get, instead of a bare "not
 * configured" from the supervisor.
 */
export function assertModelKnown(config: GatewayConfig, model: string, extra: string[] = []): void {
  const names = [...modelNames(config), ...extra];
  if (names.includes(model)) return;
  const [best] = closestMatches(model, names, 1);
  const where = config.file ? ` in ${config.file}` : '';
  const hint = best
    ? `; did you mean "${best}"?`
    : names.length > 0
      ? ` (known: ${names.join(', ')})`
      : ' (no models are configured yet)';
  throw new Error(`model "${model}" is not configured${where}${hint}`);
}
