import { parse } from 'shell-quote';
import { z } from 'zod';
import { issue } from './schema-fields.js';

/** Placeholders the supervisor fills in when it spawns a child. */
export const PORT_PLACEHOLDER = '${PORT}';
export const HOST_PLACEHOLDER = '${HOST}';
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const SUBSTITUTED = new Set(['PORT', 'HOST']);

export const DEFAULT_MLX_COMMAND = 'mlx-openai-server';

type SplitResult = { argv: string[] } | { error: string };

const NO_SHELL = 'the command runs without a shell';

/**
 * Splits a command line the way a shell would split words (quotes, backslashes) without
 * running a shell: `$PORT`/`${PORT}` and `${HOST}` stay placeholders; any other variable,
 * operator (`|`, `&&`, `>`...) or wildcard is refused because nothing would expand it.
 */
export function splitCommand(line: string): SplitResult {
  const variables: string[] = [];
  const entries = parse(line, (key: string) => {
    variables.push(key);
    return `\${${key}}`;
  });
  const other = variables.find((name) => !SUBSTITUTED.has(name));
  if (other !== undefined) {
    return {
      error: `"\${${other}}" is not expanded: ${NO_SHELL}; only ${PORT_PLACEHOLDER} and ${HOST_PLACEHOLDER} are replaced (use env: for the child's environment)`,
    };
  }
  const argv: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') argv.push(entry);
    else if ('op' in entry && entry.op === 'glob') {
      return {
        error: `"${entry.pattern}" is not expanded: ${NO_SHELL}; quote it to pass it literally`,
      };
    } else if ('op' in entry) {
      return {
        error: `"${entry.op}" is not supported: ${NO_SHELL}; wrap the pipeline in a script and run that`,
      };
    }
  }
  return { argv };
}

function unknownPlaceholder(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    for (const match of arg.matchAll(PLACEHOLDER)) {
      if (!SUBSTITUTED.has(match[1] ?? '')) return match[0];
    }
  }
  return undefined;
}

/** A command as a string (split like a shell would, see splitCommand) or an argv list. */
export function commandField() {
  return z.unknown().transform((value, ctx): string[] => {
    let argv: string[];
    if (typeof value === 'string') {
      const split = splitCommand(value);
      if ('error' in split) {
        issue(ctx, split.error, value);
        return z.NEVER;
      }
      argv = split.argv;
    } else if (Array.isArray(value)) {
      const bad = value.findIndex((arg) => !['string', 'number', 'boolean'].includes(typeof arg));
      if (bad !== -1) {
        issue(ctx, 'expected a string', value[bad], { path: [bad] });
        return z.NEVER;
      }
      // `$PORT` / `$HOST` mean the same as in the string form.
      argv = value.map((arg) => String(arg).replace(/\$(PORT|HOST)\b/g, '${$1}'));
    } else {
      issue(ctx, 'expected a command line (a string or a list of arguments)', value);
      return z.NEVER;
    }
    if (argv.length === 0 || argv[0] === '') {
      issue(ctx, 'must name a program to run', value);
      return z.NEVER;
    }
    const placeholder = unknownPlaceholder(argv);
    if (placeholder !== undefined) {
      issue(
        ctx,
        `${placeholder} is not replaced; only ${PORT_PLACEHOLDER} and ${HOST_PLACEHOLDER} are (use env: for the child's environment)`,
        value,
      );
      return z.NEVER;
    }
    return argv;
  });
}

const REMOVED_IN_1_7 =
  'was removed in mlx-openai-server v1.7 (the server exits with an error when it is passed); remove it';

/** Flags of `mlx-openai-server launch` that the config must not pass in `args`, and why. */
const REFUSED_FLAGS: Record<string, string> = {
  '--host': 'is set by the supervisor (always 127.0.0.1); remove it',
  '--port': 'is set by the supervisor (from supervisor.ports); remove it',
  '--model-path': 'comes from modelPath; set that instead',
  '--model-type': 'comes from modelType; set that instead',
  '--config':
    'starts multi-model mode, which is not used here; configure each model as its own entry',
  '--max-concurrency': REMOVED_IN_1_7,
  '--message-converter': REMOVED_IN_1_7,
};

function flagOf(arg: string): string {
  const eq = arg.indexOf('=');
  return eq === -1 ? arg : arg.slice(0, eq);
}

/** Extra `mlx-openai-server launch` flags, with the flags the gateway owns or v1.7 removed refused. */
export function mlxArgsField() {
  return z.array(
    z.unknown().transform((value, ctx): string => {
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (typeof value !== 'string') {
        issue(ctx, 'expected a string', value);
        return z.NEVER;
      }
      const flag = flagOf(value);
      const reason = Object.hasOwn(REFUSED_FLAGS, flag) ? REFUSED_FLAGS[flag] : undefined;
      if (reason !== undefined) {
        issue(ctx, `${flag} ${reason}`, value);
        return z.NEVER;
      }
      return value;
    }),
  );
}

/** The value of `--served-model-name` in launch arguments, if given. */
export function servedModelName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--served-model-name') return args[i + 1];
    if (arg.startsWith('--served-model-name=')) return arg.slice('--served-model-name='.length);
  }
  return undefined;
}

/** The argv that launches one model with mlx-openai-server. */
export function mlxOpenAIServerArgv(
  command: readonly string[],
  modelPath: string,
  modelType: string,
  args: readonly string[],
): string[] {
  return [
    ...command,
    'launch',
    '--model-path',
    modelPath,
    '--model-type',
    modelType,
    ...args,
    '--host',
    HOST_PLACEHOLDER,
    '--port',
    PORT_PLACEHOLDER,
  ];
}

/** The argv of a `command` model: as given, plus `--host ${HOST} --port ${PORT}` when it never mentions ${PORT}. */
export function commandArgv(command: readonly string[]): string[] {
  if (command.some((arg) => arg.includes(PORT_PLACEHOLDER))) return [...command];
  return [...command, '--host', HOST_PLACEHOLDER, '--port', PORT_PLACEHOLDER];
}
