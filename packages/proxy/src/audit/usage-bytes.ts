import type { UsageFormat } from './usage-extractor.js';

/**
 * The counts of a usage object read straight from its JSON bytes, without `JSON.parse` and
 * without an object per request: a JSON answer's usage is read once per request, and the parse
 * (a string, an object and its nested details, then the report) was garbage the young
 * generation paid for. Only the usual shape is read here: keys and strings without escapes,
 * values that are non-negative integers, `null`, strings, or one level of nested objects of
 * the same (OpenAI's `prompt_tokens_details`). Anything else (a float, a negative number, an
 * escape, a deeper object, an array) makes `readUsageObject` answer -1, and the caller
 * parses the object as before.
 *
 * The counts land in USAGE_COUNTS: -1 for a key not seen (or `null`), as JSON.parse plus
 * `asNumber` would see it.
 */
export const USAGE_COUNTS = {
  /** OpenAI `prompt_tokens`, or Anthropic `input_tokens`. */
  input: -1,
  /** OpenAI `completion_tokens`, or Anthropic `output_tokens`. */
  output: -1,
  /** OpenAI `prompt_tokens_details.cached_tokens`, or Anthropic `cache_read_input_tokens`. */
  cacheRead: -1,
  /** `cache_creation_input_tokens` (both). */
  cacheWrite: -1,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;
/** Larger integers could lose precision in the loop below: JSON.parse decides those. */
const MAX_DIGITS = 15;

// Key codes: which count a key sets (0: none), by format and nesting.
const NONE = 0;
const INPUT = 1;
const OUTPUT = 2;
const CACHE_READ = 3;
const CACHE_WRITE = 4;
const DETAILS = 5;

/** A key name as bytes with the count it sets: compared in place, no string per key. */
interface Key {
  readonly name: Buffer;
  readonly code: number;
}
type Keys = readonly Key[];
const keyList = (entries: Array<[string, number]>): Keys =>
  entries.map(([name, code]) => ({ name: Buffer.from(name, 'latin1'), code }));

const OPENAI_KEYS = keyList([
  ['prompt_tokens', INPUT],
  ['completion_tokens', OUTPUT],
  ['cache_creation_input_tokens', CACHE_WRITE],
  ['prompt_tokens_details', DETAILS],
]);
const ANTHROPIC_KEYS = keyList([
  ['input_tokens', INPUT],
  ['output_tokens', OUTPUT],
  ['cache_read_input_tokens', CACHE_READ],
  ['cache_creation_input_tokens', CACHE_WRITE],
]);
const OPENAI_DETAIL_KEYS = keyList([['cached_tokens', CACHE_READ]]);
const NO_KEYS: Keys = [];

/** The code of the key `b[from, to)`. */
function keyCode(b: Buffer, from: number, to: number, keys: Keys): number {
  const length = to - from;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as Key;
    const name = key.name;
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && name[i] === b[from + i]) i++;
    if (i === length) return key.code;
  }
  return NONE;
}

/** The first index at or after `at` that is not JSON white space (or `end`). */
function skipSpace(b: Buffer, at: number, end: number): number {
  while (at < end) {
    const c = b[at];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return at;
    at++;
  }
  return end;
}

/**
 * Reads the usage object that begins at `b[start]` (its opening brace) and ends before `end`
 * into USAGE_COUNTS: the index after its closing brace, or -1 when it is not of the usual
 * shape (then the counts mean nothing).
 */
export function readUsageObject(
  format: UsageFormat,
  b: Buffer,
  start: number,
  end: number = b.length,
): number {
  USAGE_COUNTS.input = -1;
  USAGE_COUNTS.output = -1;
  USAGE_COUNTS.cacheRead = -1;
  USAGE_COUNTS.cacheWrite = -1;
  return readObject(b, start, end, format === 'openai' ? OPENAI_KEYS : ANTHROPIC_KEYS, true);
}

/** Reads the usage object `b[start, end)` (its braces included) into USAGE_COUNTS. */
export function readUsageCounts(
  format: UsageFormat,
  b: Buffer,
  start: number,
  end: number,
): boolean {
  const after = readUsageObject(format, b, start, end);
  return after !== -1 && skipSpace(b, after, end) === end;
}

/**
 * One object at `at`, read to its closing brace: the index after it, or -1. `nested`: one
 * level of objects is allowed inside. Positions are passed and returned (no shared cursor).
 */
function readObject(b: Buffer, at: number, end: number, keys: Keys, nested: boolean): number {
  if (at >= end || b[at] !== OPEN) return -1;
  at = skipSpace(b, at + 1, end);
  if (at < end && b[at] === CLOSE) return at + 1;
  for (;;) {
    if (at >= end || b[at] !== QUOTE) return -1;
    const keyStart = ++at;
    while (at < end && b[at] !== QUOTE) {
      const c = b[at] as number;
      if (c === BACKSLASH || c < 0x20) return -1;
      at++;
    }
    if (at >= end) return -1;
    const code = keyCode(b, keyStart, at, keys);
    at = skipSpace(b, at + 1, end);
    if (at >= end || b[at] !== COLON) return -1;
    at = readValue(b, skipSpace(b, at + 1, end), end, code, nested);
    if (at === -1) return -1;
    at = skipSpace(b, at, end);
    if (at >= end) return -1;
    const c = b[at];
    if (c === COMMA) {
      at = skipSpace(b, at + 1, end);
      continue;
    }
    return c === CLOSE ? at + 1 : -1;
  }
}

/** One value at `at` (`code` says which count it is): the index after it, or -1. */
function readValue(b: Buffer, at: number, end: number, code: number, nested: boolean): number {
  if (at >= end) return -1;
  const c = b[at] as number;
  if (c === OPEN) {
    if (!nested) return -1;
    // A details object seen again replaces the earlier one; an object is no count.
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return readObject(b, at, end, code === DETAILS ? OPENAI_DETAIL_KEYS : NO_KEYS, false);
  }
  if (c === QUOTE) {
    // A string (Anthropic's `service_tier`): skipped; as a count it is none, as asNumber says.
    at++;
    while (at < end && b[at] !== QUOTE) {
      const s = b[at] as number;
      if (s === BACKSLASH || s < 0x20) return -1;
      at++;
    }
    if (at >= end) return -1;
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return at + 1;
  }
  if (c === 0x6e) {
    // null
    if (at + 4 > end || b[at + 1] !== 0x75 || b[at + 2] !== 0x6c || b[at + 3] !== 0x6c) return -1;
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return at + 4;
  }
  if (c < ZERO || c > NINE || code === DETAILS) return -1;
  let n = 0;
  const from = at;
  while (at < end) {
    const d = b[at] as number;
    if (d < ZERO || d > NINE) break;
    n = n * 10 + (d - ZERO);
    at++;
  }
  const digits = at - from;
  // JSON has no leading zeros; a fraction or exponent goes to JSON.parse.
  if (digits > MAX_DIGITS || (digits > 1 && c === ZERO)) return -1;
  if (at < end) {
    const next = b[at];
    if (next === 0x2e || next === 0x65 || next === 0x45) return -1;
  }
  setCount(code, n);
  return at;
}

function setCount(code: number, n: number): void {
  if (code === INPUT) USAGE_COUNTS.input = n;
  else if (code === OUTPUT) USAGE_COUNTS.output = n;
  else if (code === CACHE_READ) USAGE_COUNTS.cacheRead = n;
  else if (code === CACHE_WRITE) USAGE_COUNTS.cacheWrite = n;
}
