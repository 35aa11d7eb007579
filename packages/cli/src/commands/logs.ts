import { join } from 'node:path';
import { type GatewayConfig } from '@mlx-gateway/shared/config';
import { prettyLogLine } from '@mlx-gateway/shared/logging';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { tailFile } from '../log-file.js';
import {
  assertModelKnown,
  call,
  configFor,
  NoSupervisorError,
  type GlobalOptions,
} from './control.js';

/** The gateway's own logs, shown by `logs proxy` and `logs supervisor`. */
const OWN_LOGS = ['proxy', 'supervisor'];

function canonicalModel(config: GatewayConfig, name: string): string | undefined {
  return config.models.find((m) => m.name === name || m.aliases.includes(name))?.name;
}

/**
 * `mlx-gateway logs NAME`: the last lines of a model server's log (from the supervisor when one
 * runs, else from its file), or of the proxy's or the supervisor's own log. JSON lines are
 * shown readable on a terminal and as they are when piped.
 */
export async function logs(name: string, opts: GlobalOptions & { lines: number }): Promise<void> {
  const config = configFor(opts);
  const logsDir = gatewayPaths(config.home).logsDir;
  const model = canonicalModel(config, name);
  let lines: string[] | undefined;
  if (model !== undefined) {
    lines = await fromSupervisor(config, model, opts.lines);
    // The supervisor keeps the lines of its own runs; an earlier run is only in the file.
    if (lines === undefined || lines.length === 0) {
      lines = tailFile(join(logsDir, `${model}.log`), opts.lines)?.map(scrubSecrets) ?? lines;
    }
  } else if (OWN_LOGS.includes(name)) {
    lines = tailFile(join(logsDir, `${name}.log`), opts.lines)?.map(scrubSecrets);
  } else {
    assertModelKnown(config, name, OWN_LOGS);
  }
  if (lines === undefined) {
    process.stderr.write(
      `no log for ${model ? `model "${model}"` : `the ${name}`} yet (${join(logsDir, `${model ?? name}.log`)} does not exist: it is written once it has run)\n`,
    );
    return;
  }
  if (lines.length === 0) {
    process.stderr.write(`the log of ${model ? `model "${model}"` : `the ${name}`} is empty\n`);
    return;
  }
  const shown = process.stdout.isTTY ? lines.map((l) => prettyLogLine(l, true)) : lines;
  process.stdout.write(shown.map((l) => `${l}\n`).join(''));
}

/** The supervisor's tail of a model's log, or undefined when no supervisor answers. */
async function fromSupervisor(
  config: GatewayConfig,
  model: string,
  count: number,
): Promise<string[] | undefined> {
  try {
    return (await call(config, { cmd: 'logs', model, lines: count })).lines;
  } catch (err) {
    if (err instanceof NoSupervisorError) return undefined;
    throw err;
  }
}
