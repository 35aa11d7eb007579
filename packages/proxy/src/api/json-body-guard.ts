import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';

/**
 * Deepest nesting of arrays and objects a request body may have. Real requests (deep tool
 * schemas included) stay under a few dozen levels; every walk of a body in the proxy
 * (translation, count_tokens, the model-id rewrite, JSON.stringify) is recursive and would
 * overflow the stack at a few thousand.
 */
export const DEFAULT_MAX_JSON_DEPTH = 1_000;
/** Highest depth the config may set: still well below where the recursive walks overflow. */
export const MAX_JSON_DEPTH_LIMIT = 2_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
/** Longest key name repeated in an error message. */
const KEY_IN_MESSAGE = 64;

/**
 * Checks the raw bytes of a JSON request body before JSON.parse walks it, in one linear scan
 * (strings skipped with a native search):
 * - nesting deeper than `maxDepth` is refused (400), so nothing downstream recurses that far;
 * - a key repeated at the top level is refused (400): JSON.parse keeps the last one, while
 *   the raw bytes go upstream, where a parser may keep the first. `{"model":"a","model":"b"}`
 *   would be authorised as one model and served as the other.
 * Malformed JSON is left to JSON.parse, which says what is wrong with it.
 */
export function checkJsonBody(body: Buffer, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): void {
  const n = body.length;
  let depth = 0;
  let topIsObject = false;
  let expectKey = false;
  let keys: Set<string> | undefined;
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) {
      const end = stringEnd(body, i);
      if (end === -1) return;
      if (expectKey && depth === 1) {
        const key = keyOf(body, i, end);
        if (key === undefined) return;
        keys ??= new Set();
        if (keys.has(key)) throw duplicateKey(key);
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > maxDepth) throw tooDeep(maxDepth);
      if (depth === 1) {
        topIsObject = c === OPEN_OBJECT;
        expectKey = topIsObject;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA && depth === 1 && topIsObject) {
      expectKey = true;
    }
  }
}

/** Index of the quote that closes the string opened at `start`, or -1. */
function stringEnd(body: Buffer, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote === -1) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k > start && body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** The key a JSON string between two quotes stands for (escapes decoded), or undefined if invalid. */
function keyOf(body: Buffer, open: number, close: number): string | undefined {
  if (!body.subarray(open + 1, close).includes(BACKSLASH)) {
    return body.toString('utf8', open + 1, close);
  }
  try {
    return JSON.parse(body.toString('utf8', open, close + 1)) as string;
  } catch {
    return undefined;
  }
}

function tooDeep(maxDepth: number): GatewayError {
  return new GatewayError(
    ErrorCodes.INVALID_REQUEST,
    `request body nests arrays and objects deeper than ${maxDepth} levels (proxy.maxJsonDepth in the gateway config)`,
  );
}

function duplicateKey(key: string): GatewayError {
  const shown = key.length > KEY_IN_MESSAGE ? `${key.slice(0, KEY_IN_MESSAGE)}…` : key;
  return new GatewayError(
    ErrorCodes.INVALID_REQUEST,
    `request body has the key ${JSON.stringify(shown)} more than once at the top level; send each key once`,
    shown === 'model' ? { param: 'model' } : {},
  );
}
