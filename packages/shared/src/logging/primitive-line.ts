import { symbols, type Level, type Logger } from 'pino';
import { isSensitiveKey } from '../security/redact-deep.js';
import { REDACTED, scrubSecretsMemo } from '../security/redact.js';

/** The fields of a line written by `logPrimitives`: flat, primitive values only. */
export type PrimitiveFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A log line whose fields are known primitives, for hot paths (the proxy's request line).
 * It skips pino's path redaction, the deep copy and the scrub of the finished line, which
 * cost more than the line itself, and keeps secrets out with cheaper means: every string
 * value is scrubbed (`scrubSecretsMemo`: the answer for a value seen recently is remembered), a value under a credential-named key is censored, and
 * the bindings of the logger (already scrubbed when the child was made) are reused as they
 * are. Undefined values are left out; numbers that are not finite are written as null, as
 * JSON.stringify would. `cleanKeys` names fields whose values the caller has already vetted
 * (values `scrubSecrets` leaves unchanged, such as a request id checked when it was accepted):
 * they are written without a scrub, which for a value never seen before is the costliest
 * step of the line. The line has the shape of pino's lines (level, time, bindings,
 * fields, msg) and goes to the same destination, so it keeps its place among the others.
 */
export function logPrimitives(
  this: Logger,
  level: Level,
  fields: PrimitiveFields,
  msg: string,
  cleanKeys?: ReadonlySet<string>,
): void {
  if (!this.isLevelEnabled(level)) return;
  const holder = this as unknown as Record<symbol, unknown>;
  const time = holder[symbols.timeSym] as () => string;
  const stream = holder[symbols.streamSym] as { write(line: string): unknown };
  let line = `{"level":${String(this.levels.values[level])}${time()}${String(holder[symbols.chindingsSym])}`;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    const prefix = keyPrefix(key);
    if (prefix === undefined) line += `,${JSON.stringify(key)}:"${REDACTED}"`;
    else if (typeof value === 'string' && cleanKeys?.has(key) === true) {
      line += prefix + JSON.stringify(value);
    } else line += prefix + encode(value);
  }
  line += `,"msg":${JSON.stringify(scrubSecretsMemo(msg))}}\n`;
  stream.write(line);
}

/** `,"key":` for a key whose value may be written, undefined for a credential name. */
const prefixes = new Map<string, string | undefined>();
/** Keys are the caller's constants; the cache stays small, and is bounded all the same. */
const MAX_CACHED_KEYS = 256;

function keyPrefix(key: string): string | undefined {
  if (prefixes.has(key)) return prefixes.get(key);
  const prefix = isSensitiveKey(key) ? undefined : `,${JSON.stringify(key)}:`;
  if (prefixes.size < MAX_CACHED_KEYS) prefixes.set(key, prefix);
  return prefix;
}

function encode(value: string | number | boolean): string {
  if (typeof value === 'string') return JSON.stringify(scrubSecretsMemo(value));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value ? 'true' : 'false';
}
