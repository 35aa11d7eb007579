import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type GatewayConfig } from '@mlx-gateway/shared/config';
import { prettyLogLine } from '@mlx-gateway/shared/logging';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import { FileFollower } from '../follow-file.js';
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
 * shown readable on a terminal and as they are when piped. `-f` then follows the file.
 */
export async function logs(
  name: string,
  opts: GlobalOptions & { lines: number; follow?: boolean },
): Promise<void> {
  const config = configFor(opts);
  const logsDir = gatewayPaths(config.home).logsDir;
  const model = canonicalModel(config, name);
  const file = join(logsDir, model === undefined ? `${name}.log` : modelLogName(model));
  // Taken before the tail is read: a line written in between is shown twice, never lost.
  const followFrom = opts.follow ? sizeOf(file) : undefined;
  let lines: string[] | undefined;
  if (model !== undefined) {
    lines = await fromSupervisor(config, model, opts.lines);
    // The supervisor keeps the lines of its own runs; an earlier run is only in the file.
    if (lines === undefined || lines.length === 0) {
      lines = tailFile(file, opts.lines)?.map(scrubSecrets) ?? lines;
    }
  } else if (OWN_LOGS.includes(name)) {
    lines = tailFile(file, opts.lines)?.map(scrubSecrets);
  } else {
    assertModelKnown(config, name, OWN_LOGS);
  }
  const what = model ? `model "${model}"` : `the ${name}`;
  if (lines === undefined) {
    process.stderr.write(
      `no log for ${what} yet (${file} does not exist: it is written once it has run)${opts.follow ? '; waiting for it (Ctrl-C stops)' : ''}\n`,
    );
  } else if (lines.length === 0) {
    process.stderr.write(`the log of ${what} is empty\n`);
  } else {
    printLines(lines);
  }
  if (opts.follow) await followLog(file, followFrom);
}

function printLines(lines: string[]): void {
  const shown = process.stdout.isTTY ? lines.map((l) => prettyLogLine(l, true)) : lines;
  process.stdout.write(shown.map((l) => `${l}\n`).join(''));
}

/** The file name the supervisor gives a model's log (see ModelLog). */
function modelLogName(model: string): string {
  return `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.log`;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const FOLLOW_POLL_MS = 250;

/** `logs -f`: prints lines as they are appended, until Ctrl-C (or SIGTERM); exit 0. */
async function followLog(file: string, from: number | undefined): Promise<void> {
  const follower = new FileFollower(file, from);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const lines = follower.poll();
      if (lines.length > 0) printLines(lines.map(scrubSecrets));
    }, FOLLOW_POLL_MS);
    const stop = (): void => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
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
