import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type * as PinoPrettyExports from 'pino-pretty';

type PinoPrettyModule = typeof PinoPrettyExports;

let pinoPretty: PinoPrettyModule | undefined;

/**
 * pino-pretty (about 10 MB resident once loaded) is needed only by a process that shows its log
 * on a terminal or by `mlx-gateway logs`; daemons writing JSON to a file never load it. It is a
 * CommonJS module, so it can be required synchronously on first use.
 */
function loadPinoPretty(): PinoPrettyModule {
  pinoPretty ??= createRequire(import.meta.url)('pino-pretty') as PinoPrettyModule;
  return pinoPretty;
}

/** What people read: time, level, message and the bound fields; pid and hostname left out. */
const OPTIONS = {
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'pid,hostname',
  singleLine: true,
} as const;

/**
 * Whether a process's log on standard output is shown readable: on a terminal, unless
 * MLX_GATEWAY_LOG_FORMAT=json asks for the lines as they are stored (`pretty` forces it on).
 */
export function wantsPrettyStdout(env: NodeJS.ProcessEnv = process.env): boolean {
  const format = env['MLX_GATEWAY_LOG_FORMAT'];
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return process.stdout.isTTY === true;
}

/** A destination writing readable, coloured lines to standard output (synchronously). */
export function prettyStdout(): DestinationStream {
  return loadPinoPretty().PinoPretty({
    ...OPTIONS,
    colorize: process.stdout.isTTY === true,
    sync: true,
  });
}

const formats = new Map<boolean, (line: string) => string>();

/**
 * One stored log line made readable (`12:01:02 INFO (supervisor): model state {"model":…}`);
 * a line that is not a JSON log record (a model server's own output) is returned as it is.
 */
export function prettyLogLine(line: string, colorize = false): string {
  if (!line.startsWith('{')) return line;
  let format = formats.get(colorize);
  if (format === undefined) {
    format = loadPinoPretty().prettyFactory({ ...OPTIONS, colorize });
    formats.set(colorize, format);
  }
  const out = format(line);
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}
