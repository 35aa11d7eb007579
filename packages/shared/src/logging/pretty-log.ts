import { PinoPretty, prettyFactory } from 'pino-pretty';
import type { DestinationStream } from 'pino';

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
  return PinoPretty({ ...OPTIONS, colorize: process.stdout.isTTY === true, sync: true });
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
    format = prettyFactory({ ...OPTIONS, colorize });
    formats.set(colorize, format);
  }
  const out = format(line);
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}
