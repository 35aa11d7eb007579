import type { UsageFormat } from './usage-extractor.js';

/**
 * The counts of a usage object read straight from its JSON bytes, without `JSON.parse` and
 * without an object per request: a JSON answer's usage is read once per request, and the parse
 * (a string, an object and its nested details, then the report) was garbage the young
 * generation paid for. Only the usual shape is read here: keys and strings without escapes,
 * values that are non-negative integers, `null`, strings, or one level of nested objects of
 * the same (OpenAI's `prompt_tokens_details`). Anything else (a float, a negative number, an
 * escape, a deeper object, an array) makes `readUsageCounts` answer false, and the caller
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

/** Key names as bytes with the count each sets: compared in place, no string per key. */
type Keys = ReadonlyArray<readonly [Buffer, number]>;
const keyList = (entries: Array<[string, number]>): Keys =>
  entries.map(([name, code]) => [Buffer.from(name, 'latin1'), code] as const);

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
    const [name, code] = keys[k] as readonly [Buffer, number];
    if (name.length !== length) continue;
    let i = 0;
    while (i < length && name[i] === b[from + i]) i++;
    if (i === length) return code;
  }
  return NONE;
}

let pos = 0;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Buffer): void {
  while (isSpace(b[pos])) pos++;
}

/** Reads the usage object `b[start, end)` (its braces included) into USAGE_COUNTS. */
export function readUsageCounts(
  format: UsageFormat,
  b: Buffer,
  start: number,
  end: number,
): boolean {
  USAGE_COUNTS.input = -1;
  USAGE_COUNTS.output = -1;
  USAGE_COUNTS.cacheRead = -1;
  USAGE_COUNTS.cacheWrite = -1;
  pos = start;
  const keys = format === 'openai' ? OPENAI_KEYS : ANTHROPIC_KEYS;
  if (!readObject(b, end, keys, true)) return false;
  skipSpace(b);
  return pos === end;
}

/** One object at `pos`; `nested`: one level of objects is allowed inside. */
function readObject(b: Buffer, end: number, keys: Keys, nested: boolean): boolean {
  if (b[pos] !== OPEN) return false;
  pos++;
  skipSpace(b);
  if (b[pos] === CLOSE) {
    pos++;
    return true;
  }
  for (;;) {
    if (pos >= end || b[pos] !== QUOTE) return false;
    const keyStart = ++pos;
    while (pos < end && b[pos] !== QUOTE) {
      if (b[pos] === BACKSLASH || (b[pos] as number) < 0x20) return false;
      pos++;
    }
    if (pos >= end) return false;
    const code = keyCode(b, keyStart, pos, keys);
    pos++;
    skipSpace(b);
    if (b[pos] !== COLON) return false;
    pos++;
    skipSpace(b);
    if (!readValue(b, end, code, nested)) return false;
    skipSpace(b);
    if (b[pos] === COMMA) {
      pos++;
      skipSpace(b);
      continue;
    }
    if (b[pos] !== CLOSE) return false;
    pos++;
    return true;
  }
}

function readValue(b: Buffer, end: number, code: number, nested: boolean): boolean {
  const c = b[pos];
  if (c === OPEN) {
    if (!nested) return false;
    // A details object seen again replaces the earlier one; an object is no count.
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return readObject(b, end, code === DETAILS ? OPENAI_DETAIL_KEYS : NO_KEYS, false);
  }
  if (c === QUOTE) {
    // A string (Anthropic's `service_tier`): skipped; as a count it is none, as asNumber says.
    pos++;
    while (pos < end && b[pos] !== QUOTE) {
      if (b[pos] === BACKSLASH || (b[pos] as number) < 0x20) return false;
      pos++;
    }
    if (pos >= end) return false;
    pos++;
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return true;
  }
  if (c === 0x6e) {
    // null
    if (b[pos + 1] !== 0x75 || b[pos + 2] !== 0x6c || b[pos + 3] !== 0x6c) return false;
    pos += 4;
    if (code === DETAILS) USAGE_COUNTS.cacheRead = -1;
    else setCount(code, -1);
    return true;
  }
  if (c === undefined || c < ZERO || c > NINE || code === DETAILS) return false;
  let n = 0;
  const from = pos;
  while (pos < end && (b[pos] as number) >= ZERO && (b[pos] as number) <= NINE) {
    n = n * 10 + ((b[pos] as number) - ZERO);
    pos++;
  }
  const digits = pos - from;
  // JSON has no leading zeros; a fraction or exponent goes to JSON.parse.
  if (digits > MAX_DIGITS || (digits > 1 && c === ZERO)) return false;
  const next = b[pos];
  if (next === 0x2e || next === 0x65 || next === 0x45) return false;
  setCount(code, n);
  return true;
}

function setCount(code: number, n: number): void {
  if (code === INPUT) USAGE_COUNTS.input = n;
  else if (code === OUTPUT) USAGE_COUNTS.output = n;
  else if (code === CACHE_READ) USAGE_COUNTS.cacheRead = n;
  else if (code === CACHE_WRITE) USAGE_COUNTS.cacheWrite = n;
}
