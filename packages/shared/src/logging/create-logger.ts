import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type LevelWithSilent,
  type Logger,
} from 'pino';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '../errors/index.js';
import { redactDeep } from '../security/redact-deep.js';
import { REDACTED, scrubSecrets } from '../security/redact.js';
import { bufferedStdout } from './buffered-stdout.js';
import { prettyStdout, wantsPrettyStdout } from './pretty-log.js';
import { serializeErrorForLog } from './error-serializer.js';
import { logPrimitives } from './primitive-line.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Logged as `name` on every line (e.g. "proxy", "supervisor"). */
  name: string;
  /** fatal, error, warn, info (default), debug, trace or silent; anything else is refused. */
  level?: LevelWithSilent | string;
  /** A stream, or a file path (created with mode 0600, parent directories made). Default stdout. */
  destination?: DestinationStream | string;
  /**
   * For a file destination: write lines in 16 KB chunks (at most 100 ms late, flushed on exit)
   * as standard output is, instead of one system call per line. For hot paths (the proxy's
   * request log); a SIGKILL can lose the last 100 ms of lines. Default false.
   */
  buffered?: boolean;
}

/** Known credential locations, censored by pino before anything else runs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["api-key"]',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  'authorization',
  '["x-api-key"]',
  '["api-key"]',
  'cookie',
  '["set-cookie"]',
  'apiKey',
  'api_key',
  'password',
  'secret',
  'token',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.secret',
  '*.token',
];

function scrubArgument(arg: unknown): unknown {
  if (typeof arg === 'string') return scrubSecrets(arg);
  if (arg instanceof Error) return arg;
  return redactDeep(arg);
}

/**
 * Log arguments are scrubbed before pino formats them: the message, printf-style
 * arguments (`%s`, `%j`, `%o` would otherwise inline raw text) and, for `log.error(err)`,
 * the message pino would copy from the error unscrubbed.
 */
function logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void): void {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const message = rest.length > 0 ? rest : [first.message];
    method.apply(this, [{ err: first }, ...message.map(scrubArgument)]);
    return;
  }
  if (first !== null && typeof first === 'object') {
    const carried = first as { err?: unknown; msg?: unknown };
    if (rest.length === 0 && carried.msg === undefined && carried.err instanceof Error) {
      method.apply(this, [first, scrubSecrets(carried.err.message)]);
      return;
    }
    method.apply(this, [first, ...rest.map(scrubArgument)]);
    return;
  }
  method.apply(this, args.map(scrubArgument));
}

function checkLevel(level: string | undefined): LevelWithSilent {
  if (level === undefined || level === '') return 'info';
  if (level === 'silent' || Object.hasOwn(pino.levels.values, level))
    return level as LevelWithSilent;
  const known = [...Object.keys(pino.levels.values), 'silent'].join(', ');
  throw new GatewayError(ErrorCodes.CONFIG_INVALID, `log level "${level}" is not one of ${known}`);
}

function openDestination(options: CreateLoggerOptions): DestinationStream {
  const { destination } = options;
  // A process run by hand in a terminal is read by a person; piped or in a file, by tools.
  if (destination === undefined) return wantsPrettyStdout() ? prettyStdout() : bufferedStdout();
  if (typeof destination === 'string') {
    if (options.buffered === true) {
      mkdirSync(dirname(destination), { recursive: true });
      return bufferedStdout(openSync(destination, 'a', 0o600));
    }
    // Synchronous: a line is on disk before the call returns, so a crash loses nothing.
    return pino.destination({ dest: destination, mkdir: true, sync: true, mode: 0o600 });
  }
  return destination;
}

/**
 * A pino logger that keeps secrets out of the log, in layers:
 *
 * 1. `redact` censors the known credential paths (headers, apiKey, password, ...).
 * 2. Every logged object is deep-copied with credential-named keys censored at any depth
 *    and key-shaped strings scrubbed (`formatters.log`; child logger fields when the child
 *    is made); errors are serialized with scrubbed message and stack.
 * 3. The message and printf arguments are scrubbed (`hooks.logMethod`).
 * 4. The finished line is scrubbed once more (`hooks.streamWrite`): a last net for shapes
 *    that only appear once pino has assembled the text.
 *
 * Child loggers (`logger.child({ component, model })`) inherit all of it.
 *
 * For hot paths the logger also has `logPrimitives(level, fields, msg)` (see
 * primitive-line.ts): a line of flat primitive fields, every string scrubbed, without the
 * costlier layers. Standard output is buffered (see buffered-stdout.ts); a file destination
 * is written synchronously unless `buffered` is set.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const logger = pino(
    {
      name: options.name,
      level: checkLevel(options.level),
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: serializeErrorForLog, error: serializeErrorForLog },
      formatters: {
        log: (object) => redactDeep(object) as Record<string, unknown>,
        bindings: (bindings) => redactDeep(bindings) as Record<string, unknown>,
      },
      hooks: {
        logMethod,
        streamWrite: scrubSecrets,
      },
    },
    openDestination(options),
  );
  scrubChildBindings(logger);
  // Inherited by every child (pino makes children with Object.create).
  Object.assign(logger, { logPrimitives });
  return logger;
}

/**
 * pino formats only the root logger's bindings (`formatters.bindings`); a child's are
 * serialized as given. Children are created from this instance through its prototype, so
 * one override scrubs the bindings of children, grandchildren and setBindings calls.
 */
function scrubChildBindings(logger: Logger): void {
  // Unbound on purpose: `this` is whichever logger (root or descendant) is being extended.
  const { child, setBindings } = logger;
  Object.assign(logger, {
    child(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions): Logger {
      return Reflect.apply(child, this, [redactDeep(bindings), childOptions]) as Logger;
    },
    setBindings(this: Logger, bindings: Bindings): void {
      Reflect.apply(setBindings, this, [redactDeep(bindings)]);
    },
  });
}
