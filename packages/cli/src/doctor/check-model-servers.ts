import { execFile } from 'node:child_process';
import type { GatewayConfig, LocalModelConfig } from '@mlx-gateway/shared/config';
import { findOnPath } from '../command-on-path.js';
import { explainMissingCommand } from '../explain-error.js';
import { fail, ok, warn, type Finding } from './finding.js';

/** The oldest mlx-openai-server whose `launch` takes the flags the gateway passes (REFERENCE). */
export const OLDEST_SUPPORTED = [1, 7, 0] as const;

/** Flags the supervisor itself passes to every `mlx-openai-server launch`. */
const GATEWAY_FLAGS = ['--model-path', '--model-type', '--host', '--port'];

const CHECK = 'model-server';

export interface CommandOutput {
  code: number | null;
  text: string;
}

/** Runs a command briefly (a version or help query) and returns its exit code and output. */
export function runBriefly(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    execFile(
      file ?? '',
      args,
      { env, timeout: timeoutMs, maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, text: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** "1.8.2" in any version banner ("mlx-openai-server, version 1.8.2"); undefined when none. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function older(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

const flagOf = (arg: string): string => arg.split('=')[0] ?? arg;

/** The command part of an mlx-openai-server model's argv (what comes before `launch`). */
function launchParts(model: LocalModelConfig): { command: string[]; flags: string[] } {
  const at = model.argv.indexOf('launch');
  const command = at === -1 ? model.argv.slice(0, 1) : model.argv.slice(0, at);
  const flags = at === -1 ? [] : model.argv.slice(at + 1).filter((a) => a.startsWith('--'));
  return { command, flags: [...new Set(flags.map(flagOf))] };
}

/** Whether a flag is listed by `launch --help` (argparse prints each flag as a word). */
function helpLists(help: string, flag: string): boolean {
  return new RegExp(`(^|[\\s,\\[])${flag.replace(/[-]/g, '\\-')}([\\s,=\\]]|$)`, 'm').test(help);
}

/** One mlx-openai-server command: found, its version, and the flags the models pass it. */
async function checkMlxCommand(
  command: string[],
  models: LocalModelConfig[],
  env: NodeJS.ProcessEnv,
): Promise<Finding[]> {
  const names = models.map((m) => m.name).join(', ');
  const program = command[0] ?? '';
  const found = findOnPath(program, env['PATH']);
  if (found === undefined) {
    return [
      fail(
        CHECK,
        `mlx-openai-server (${program}) for ${names} is not found`,
        `${explainMissingCommand(program, models[0]?.name)}; install it with \`pip install mlx-openai-server\` (Apple silicon)`,
      ),
    ];
  }
  const versionOut = await runBriefly([...command, '--version'], env);
  const version = versionOut.code === 0 ? parseVersion(versionOut.text) : undefined;
  const findings: Finding[] = [];
  if (version === undefined) {
    findings.push(
      warn(
        CHECK,
        `${found} --version did not print a version (exit ${versionOut.code ?? 'killed'})`,
        `run \`${program} --version\` yourself; reinstall with \`pip install -U mlx-openai-server\` if it fails`,
      ),
    );
  } else if (older(version, OLDEST_SUPPORTED)) {
    findings.push(
      fail(
        CHECK,
        `${found} is version ${version.join('.')}, older than ${OLDEST_SUPPORTED.join('.')}, the oldest the gateway launches models with`,
        'upgrade it: `pip install -U mlx-openai-server`',
      ),
    );
  }
  const help = await runBriefly([...command, 'launch', '--help'], env);
  if (help.code !== 0) {
    findings.push(
      fail(
        CHECK,
        `\`${program} launch --help\` failed (exit ${help.code ?? 'killed'}): the gateway starts models with \`launch\``,
        'upgrade mlx-openai-server (`pip install -U mlx-openai-server`) or fix the `command:` of these models',
      ),
    );
    return findings;
  }
  for (const model of models) {
    const lacking = launchParts(model).flags.filter((f) => !helpLists(help.text, f));
    if (lacking.length === 0) continue;
    const own = lacking.filter((f) => GATEWAY_FLAGS.includes(f));
    findings.push(
      fail(
        CHECK,
        `the installed mlx-openai-server${version ? ` ${version.join('.')}` : ''} has no ${lacking.join(', ')} (models.${model.name} passes ${lacking.length === 1 ? 'it' : 'them'}; the server would exit with "unrecognized arguments")`,
        own.length > 0
          ? 'upgrade mlx-openai-server: `pip install -U mlx-openai-server`'
          : `remove ${lacking.join(', ')} from models.${model.name}.args, or upgrade mlx-openai-server`,
      ),
    );
  }
  if (findings.length === 0) {
    findings.push(
      ok(
        CHECK,
        `${found}${version ? ` ${version.join('.')}` : ''} takes every flag ${names} pass${models.length === 1 ? 'es' : ''}`,
      ),
    );
  }
  return findings;
}

/**
 * The model servers the config launches: every mlx-openai-server command found, recent enough
 * and taking the flags the models pass; every `command` model's program found. Run with each
 * model's environment, as the supervisor spawns it.
 */
export async function checkModelServers(config: GatewayConfig): Promise<Finding[]> {
  const local = config.models.filter((m): m is LocalModelConfig => m.kind === 'local');
  const byCommand = new Map<string, { command: string[]; models: LocalModelConfig[] }>();
  const findings: Finding[] = [];
  for (const model of local) {
    const env = { ...process.env, ...model.env };
    if (model.backend === 'command') {
      const program = model.argv[0] ?? '';
      findings.push(
        findOnPath(program, env['PATH'])
          ? ok(CHECK, `models.${model.name}: ${program} found`)
          : fail(
              CHECK,
              `models.${model.name}: ${program} is not found`,
              explainMissingCommand(program, model.name),
            ),
      );
      continue;
    }
    const { command } = launchParts(model);
    const key = JSON.stringify([command, model.env['PATH'] ?? '']);
    const entry = byCommand.get(key) ?? { command, models: [] };
    entry.models.push(model);
    byCommand.set(key, entry);
  }
  for (const { command, models } of byCommand.values()) {
    findings.push(
      ...(await checkMlxCommand(command, models, { ...process.env, ...models[0]!.env })),
    );
  }
  if (local.length === 0) {
    const found = findOnPath('mlx-openai-server');
    findings.push(
      found
        ? ok(CHECK, `no local models configured; mlx-openai-server is at ${found}`)
        : ok(CHECK, 'no local models configured (mlx-openai-server is only needed for them)'),
    );
  }
  return findings;
}
