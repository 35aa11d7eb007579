// Command line of the stand-in, shaped like `mlx-openai-server launch` (v1.8): the same flags and
// defaults, and argparse-style errors with exit code 2 for anything the real CLI would reject.
import { parseArgs } from 'node:util';

export const PROG = 'mlx-openai-server';

export const MODEL_TYPES = [
  'lm',
  'multimodal',
  'embeddings',
  'whisper',
  'image-generation',
  'image-edit',
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LaunchOptions {
  modelPath: string;
  modelType: ModelType;
  host: string;
  port: number;
  contextLength: number | undefined;
  servedModelName: string | undefined;
  queueTimeout: number;
  queueSize: number;
  toolCallParser: string | undefined;
  reasoningParser: string | undefined;
  enableAutoToolChoice: boolean;
  trustRemoteCode: boolean;
  chatTemplateFile: string | undefined;
  logFile: string | undefined;
  noLogFile: boolean;
  logLevel: LogLevel;
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  topK: number | undefined;
}

/** What the process should do: run with options, print help, or fail like argparse (exit 2). */
export type CliOutcome =
  | { kind: 'launch'; options: LaunchOptions }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; exitCode: 2; stderr: string };

type ValueKind = 'string' | 'int' | 'float' | 'flag';

interface FlagSpec {
  kind: ValueKind;
  metavar?: string;
  choices?: readonly string[];
  help: string;
}

const FLAGS = {
  'model-path': { kind: 'string', metavar: 'MODEL_PATH', help: 'path or Hugging Face id' },
  'model-type': { kind: 'string', choices: MODEL_TYPES, help: 'kind of model (default: lm)' },
  port: { kind: 'int', metavar: 'PORT', help: 'port to listen on (default: 8000)' },
  host: { kind: 'string', metavar: 'HOST', help: 'address to bind (default: 0.0.0.0)' },
  'context-length': { kind: 'int', metavar: 'CONTEXT_LENGTH', help: 'context window' },
  'served-model-name': { kind: 'string', metavar: 'NAME', help: 'model id shown to clients' },
  'queue-timeout': { kind: 'int', metavar: 'SECONDS', help: 'request timeout (default: 300)' },
  'queue-size': { kind: 'int', metavar: 'N', help: 'queued requests (default: 100)' },
  'tool-call-parser': { kind: 'string', metavar: 'PARSER', help: 'tool call parser' },
  'reasoning-parser': { kind: 'string', metavar: 'PARSER', help: 'reasoning parser' },
  'enable-auto-tool-choice': { kind: 'flag', help: 'let the model choose tools' },
  'trust-remote-code': { kind: 'flag', help: 'allow custom model code' },
  'chat-template-file': { kind: 'string', metavar: 'FILE', help: 'chat template override' },
  'log-file': { kind: 'string', metavar: 'FILE', help: 'also write logs to FILE' },
  'no-log-file': { kind: 'flag', help: 'do not write a log file' },
  'log-level': { kind: 'string', choices: LOG_LEVELS, help: 'log level (default: INFO)' },
  'max-tokens': { kind: 'int', metavar: 'N', help: 'default max_tokens' },
  temperature: { kind: 'float', metavar: 'T', help: 'default temperature' },
  'top-p': { kind: 'float', metavar: 'P', help: 'default top_p' },
  'top-k': { kind: 'int', metavar: 'K', help: 'default top_k' },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

const isFlagName = (name: string): name is FlagName => Object.hasOwn(FLAGS, name);

function usageLine(): string {
  const parts = Object.entries(FLAGS).map(([name, spec]: [string, FlagSpec]) => {
    if (spec.kind === 'flag') return `[--${name}]`;
    const value = spec.choices ? `{${spec.choices.join(',')}}` : (spec.metavar ?? 'VALUE');
    return name === 'model-path' ? `--${name} ${value}` : `[--${name} ${value}]`;
  });
  return `usage: ${PROG} launch [-h] ${parts.join(' ')}`;
}

function helpText(): string {
  const lines = Object.entries(FLAGS).map(
    ([name, spec]: [string, FlagSpec]) => `  --${name.padEnd(26)}${spec.help}`,
  );
  return `${usageLine()}\n\nStart the OpenAI-compatible model server.\n\noptions:\n  -h, --help${' '.repeat(20)}show this help message and exit\n${lines.join('\n')}\n`;
}

const usageError = (message: string): CliOutcome => ({
  kind: 'usage-error',
  exitCode: 2,
  stderr: `${usageLine()}\n${PROG} launch: error: ${message}\n`,
});

type Raw = Partial<Record<FlagName, string | true>>;

function convert(name: FlagName, raw: string): number | string | Error {
  const spec: FlagSpec = FLAGS[name];
  if (spec.kind === 'int') {
    return /^[+-]?\d+$/.test(raw.trim())
      ? Number.parseInt(raw, 10)
      : new Error(`argument --${name}: invalid int value: '${raw}'`);
  }
  if (spec.kind === 'float') {
    const value = Number(raw);
    return raw.trim() !== '' && Number.isFinite(value)
      ? value
      : new Error(`argument --${name}: invalid float value: '${raw}'`);
  }
  if (spec.choices) {
    // The real CLI matches the log level case-insensitively and keeps the canonical spelling.
    const match = spec.choices.find((choice) =>
      name === 'log-level' ? choice === raw.toUpperCase() : choice === raw,
    );
    if (match === undefined) {
      const choices = spec.choices.map((choice) => `'${choice}'`).join(', ');
      return new Error(`argument --${name}: invalid choice: '${raw}' (choose from ${choices})`);
    }
    return match;
  }
  return raw;
}

/** Splits argv (without node and script) into the known flags and argparse's "unrecognized" list. */
function collect(argv: readonly string[]): { raw: Raw; unrecognized: string[] } | CliOutcome {
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(FLAGS).map(([name, spec]: [string, FlagSpec]) => [
        name,
        { type: spec.kind === 'flag' ? 'boolean' : 'string' },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const raw: Raw = {};
  const unrecognized: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      unrecognized.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    if (token.name === 'h' || token.name === 'help') return { kind: 'help', text: helpText() };
    if (token.rawName.startsWith('-') && !token.rawName.startsWith('--')) {
      unrecognized.push(token.inlineValue ? `${token.rawName}${token.value ?? ''}` : token.rawName);
      continue;
    }
    if (!isFlagName(token.name)) {
      unrecognized.push(
        token.inlineValue ? `${token.rawName}=${token.value ?? ''}` : token.rawName,
      );
      continue;
    }
    const spec: FlagSpec = FLAGS[token.name];
    if (spec.kind === 'flag') {
      if (token.inlineValue) {
        return usageError(`argument --${token.name}: ignored explicit argument '${token.value}'`);
      }
      raw[token.name] = true;
      continue;
    }
    const value = token.value;
    // argparse refuses a following option as a value ("--port --host"), parseArgs would take it.
    if (value === undefined || (!token.inlineValue && /^--?[A-Za-z]/.test(value))) {
      return usageError(`argument --${token.name}: expected one argument`);
    }
    raw[token.name] = value;
  }
  return { raw, unrecognized };
}

function str(raw: Raw, name: FlagName): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Parses the stand-in's command line like the real CLI: `launch` is the only subcommand and is
 * implied when the first argument is an option; unknown flags (notably `--max-concurrency` and
 * `--message-converter`, removed in v1.7) are a usage error with exit code 2.
 */
export function parseLaunchArgs(argv: readonly string[]): CliOutcome {
  let args = [...argv];
  if (args.length === 0 || args[0]?.startsWith('-')) args = ['launch', ...args];
  if (args[0] !== 'launch') {
    return {
      kind: 'usage-error',
      exitCode: 2,
      stderr: `usage: ${PROG} [-h] {launch} ...\n${PROG}: error: argument command: invalid choice: '${args[0] ?? ''}' (choose from 'launch')\n`,
    };
  }
  const collected = collect(args.slice(1));
  if ('kind' in collected) return collected;
  const { raw, unrecognized } = collected;

  const values: Partial<Record<FlagName, number | string>> = {};
  for (const name of Object.keys(raw).filter(isFlagName)) {
    const text = str(raw, name);
    if (text === undefined) continue;
    const converted = convert(name, text);
    if (converted instanceof Error) return usageError(converted.message);
    values[name] = converted;
  }
  const modelPath = values['model-path'];
  if (typeof modelPath !== 'string') {
    return usageError('the following arguments are required: --model-path');
  }
  if (unrecognized.length > 0) {
    return usageError(`unrecognized arguments: ${unrecognized.join(' ')}`);
  }
  const num = (name: FlagName): number | undefined => {
    const value = values[name];
    return typeof value === 'number' ? value : undefined;
  };
  const text = (name: FlagName): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    kind: 'launch',
    options: {
      modelPath,
      modelType: (text('model-type') as ModelType | undefined) ?? 'lm',
      host: text('host') ?? '0.0.0.0',
      port: num('port') ?? 8000,
      contextLength: num('context-length'),
      servedModelName: text('served-model-name'),
      queueTimeout: num('queue-timeout') ?? 300,
      queueSize: num('queue-size') ?? 100,
      toolCallParser: text('tool-call-parser'),
      reasoningParser: text('reasoning-parser'),
      enableAutoToolChoice: raw['enable-auto-tool-choice'] === true,
      trustRemoteCode: raw['trust-remote-code'] === true,
      chatTemplateFile: text('chat-template-file'),
      logFile: text('log-file'),
      noLogFile: raw['no-log-file'] === true,
      logLevel: (text('log-level') as LogLevel | undefined) ?? 'INFO',
      maxTokens: num('max-tokens'),
      temperature: num('temperature'),
      topP: num('top-p'),
      topK: num('top-k'),
    },
  };
}
