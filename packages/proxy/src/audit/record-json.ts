import type { AuditAttempt, AuditRecord } from './audit-record.js';
import { SegmentMemo } from './segment-memo.js';

/**
 * An audit record's JSON line written straight into a byte buffer: the same text as
 * `JSON.stringify(record)` for a record the builder made (its fields in the builder's order),
 * without the string of it. Per request that string (~450 characters) was the largest piece of
 * garbage the audit log left, and the stringify its largest cost in a profile.
 *
 * What makes it cheap:
 * - Most of a line repeats from one request to the next: the API, the target and its backend,
 *   the outcome, the status, the model names. Those runs, with the field names around them,
 *   are made once and copied as one block (segment-memo.ts); only the times, the sizes, the
 *   counts, the request id and the time stamp are written per request.
 * - The write position is a local passed along (`at` in, `at` out), not a module variable: a
 *   module variable is a context slot, read and written back on every byte.
 * - ASCII strings and integers are written by plain loops; anything else (a string to escape or
 *   beyond ASCII, a fraction other than the builder's 1/100 ms, the capture) goes through
 *   JSON.stringify.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');

/** `,"name":` as bytes (the first field has no comma). */
const key = (name: string, first = false): Buffer =>
  bytesOf(`${first ? '' : ','}${JSON.stringify(name)}:`);

const K = {
  v: key('v', true),
  time: key('time'),
  requestId: key('requestId'),
  api: key('api'),
  stream: key('stream'),
  attempts: key('attempts'),
  coldStart: key('coldStart'),
  status: key('status'),
  complete: key('complete'),
  durationMs: key('durationMs'),
  bytesIn: key('bytesIn'),
  bytesOut: key('bytesOut'),
  client: key('client'),
  model: key('model'),
  resolvedModel: key('resolvedModel'),
  backend: key('backend'),
  modelWaitMs: key('modelWaitMs'),
  errorCode: key('errorCode'),
  incomplete: key('incomplete'),
  ttfbMs: key('ttfbMs'),
  ttftMs: key('ttftMs'),
  usage: key('usage'),
  capture: key('capture'),
  target: key('target', true),
  outcome: key('outcome'),
  input: key('input', true),
  output: key('output'),
  cacheRead: key('cacheRead'),
  cacheWrite: key('cacheWrite'),
};

/** `{"v":1,"time":`: every line's start. */
const HEAD_V1 = bytesOf('{"v":1,"time":');
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');

const json = (value: unknown): string => JSON.stringify(value);
const opt = (name: string, value: string | undefined): string =>
  value === undefined ? '' : `,${json(name)}:${json(value)}`;

/**
 * From `,"api":` to the first attempt's `"durationMs":`, for a record with one attempt:
 * by API, stream, target, backend and outcome.
 */
const ATTEMPT_HEAD = new SegmentMemo<[string, boolean, string, string, string]>(
  (api, stream, target, backend, outcome) =>
    `,"api":${json(api)},"stream":${stream},"attempts":[{"target":${json(target)},` +
    `"backend":${json(backend)},"outcome":${json(outcome)},"durationMs":`,
);

/** From the attempt's error code (if any) to the record's `"durationMs":`. */
const ATTEMPT_TAIL = new SegmentMemo<[string | undefined, boolean, number, boolean]>(
  (errorCode, coldStart, status, complete) =>
    `${opt('errorCode', errorCode)}}],"coldStart":${coldStart},"status":${json(status)},` +
    `"complete":${complete},"durationMs":`,
);

/** The names after the sizes: client, model asked for, model that answered, its backend. */
const NAMES = new SegmentMemo<
  [string | undefined, string | undefined, string | undefined, string | undefined]
>(
  (client, model, resolvedModel, backend) =>
    opt('client', client) +
    opt('model', model) +
    opt('resolvedModel', resolvedModel) +
    opt('backend', backend),
);

/** Most bytes a record's line can take (an escape takes at most 6 bytes per UTF-16 unit). */
export function recordJsonBound(record: AuditRecord): number {
  let chars =
    record.time.length +
    record.requestId.length +
    record.api.length +
    (record.client?.length ?? 0) +
    (record.model?.length ?? 0) +
    (record.resolvedModel?.length ?? 0) +
    (record.backend?.length ?? 0) +
    (record.errorCode?.length ?? 0) +
    (record.incomplete?.length ?? 0) +
    (record.capture?.request?.length ?? 0) +
    (record.capture?.response?.length ?? 0);
  for (const a of record.attempts) {
    chars += a.target.length + a.backend.length + a.outcome.length + (a.errorCode?.length ?? 0);
  }
  // Field names, numbers (at most 24 bytes each), punctuation.
  return 6 * chars + 1024 + 160 * record.attempts.length;
}

/**
 * Writes the record's JSON at `offset` of `out` (which has recordJsonBound bytes free there);
 * answers the offset after it.
 */
export function writeRecordJson(out: Buffer, offset: number, r: AuditRecord): number {
  let at = offset;
  if (r.v === 1) {
    at = bytes(out, at, HEAD_V1);
  } else {
    out[at++] = 0x7b; // {
    at = num(out, bytes(out, at, K.v), r.v);
    at = bytes(out, at, K.time);
  }
  at = str(out, at, r.time);
  at = str(out, bytes(out, at, K.requestId), r.requestId);
  const { attempts } = r;
  const only = attempts.length === 1 ? (attempts[0] as AuditAttempt) : undefined;
  if (only !== undefined) {
    at = bytes(out, at, ATTEMPT_HEAD.get(r.api, r.stream, only.target, only.backend, only.outcome));
    at = num(out, at, only.durationMs);
    at = bytes(out, at, ATTEMPT_TAIL.get(only.errorCode, r.coldStart, r.status, r.complete));
  } else {
    at = attemptsAnyCount(out, at, r);
  }
  at = num(out, at, r.durationMs);
  at = num(out, bytes(out, at, K.bytesIn), r.bytesIn);
  at = num(out, bytes(out, at, K.bytesOut), r.bytesOut);
  at = bytes(out, at, NAMES.get(r.client, r.model, r.resolvedModel, r.backend));
  at = optNum(out, at, K.modelWaitMs, r.modelWaitMs);
  at = optStr(out, at, K.errorCode, r.errorCode);
  at = optStr(out, at, K.incomplete, r.incomplete);
  at = optNum(out, at, K.ttfbMs, r.ttfbMs);
  at = optNum(out, at, K.ttftMs, r.ttftMs);
  const { usage, capture } = r;
  if (usage !== undefined) {
    at = bytes(out, at, K.usage);
    out[at++] = 0x7b; // {
    at = num(out, bytes(out, at, K.input), usage.input);
    at = num(out, bytes(out, at, K.output), usage.output);
    at = num(out, bytes(out, at, K.cacheRead), usage.cacheRead);
    at = num(out, bytes(out, at, K.cacheWrite), usage.cacheWrite);
    out[at++] = 0x7d; // }
  }
  if (capture !== undefined) {
    at = bytes(out, at, K.capture);
    at += out.write(json(capture), at, 'utf8');
  }
  out[at++] = 0x7d;
  return at;
}

/** From `,"api":` to the record's `"durationMs":`, field by field (no attempt, or fallbacks). */
function attemptsAnyCount(out: Buffer, at: number, r: AuditRecord): number {
  at = str(out, bytes(out, at, K.api), r.api);
  at = bool(out, bytes(out, at, K.stream), r.stream);
  at = bytes(out, at, K.attempts);
  out[at++] = 0x5b; // [
  for (let i = 0; i < r.attempts.length; i++) {
    if (i > 0) out[at++] = 0x2c;
    at = attempt(out, at, r.attempts[i] as AuditAttempt);
  }
  out[at++] = 0x5d; // ]
  at = bool(out, bytes(out, at, K.coldStart), r.coldStart);
  at = num(out, bytes(out, at, K.status), r.status);
  at = bool(out, bytes(out, at, K.complete), r.complete);
  return bytes(out, at, K.durationMs);
}

function attempt(out: Buffer, at: number, a: AuditAttempt): number {
  out[at++] = 0x7b;
  at = str(out, bytes(out, at, K.target), a.target);
  at = str(out, bytes(out, at, K.backend), a.backend);
  at = str(out, bytes(out, at, K.outcome), a.outcome);
  // JSON.stringify keeps the order the builder set them in: errorCode last.
  at = num(out, bytes(out, at, K.durationMs), a.durationMs);
  at = optStr(out, at, K.errorCode, a.errorCode);
  out[at++] = 0x7d;
  return at;
}

function bytes(out: Buffer, at: number, b: Buffer): number {
  out.set(b, at);
  return at + b.length;
}

function bool(out: Buffer, at: number, value: boolean): number {
  return bytes(out, at, value ? TRUE : FALSE);
}

function optStr(out: Buffer, at: number, name: Buffer, value: string | undefined): number {
  return value === undefined ? at : str(out, bytes(out, at, name), value);
}

function optNum(out: Buffer, at: number, name: Buffer, value: number | undefined): number {
  return value === undefined ? at : num(out, bytes(out, at, name), value);
}

/** A string as JSON: copied when it is printable ASCII with nothing to escape. */
function str(out: Buffer, start: number, s: string): number {
  let at = start;
  out[at++] = QUOTE;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
      return start + out.write(json(s), start, 'utf8');
    }
    out[at++] = c;
  }
  out[at++] = QUOTE;
  return at;
}

/** A number as JSON.stringify writes it. */
function num(out: Buffer, at: number, n: number): number {
  if (n >= 0 && n < 2_147_483_648) {
    if (Number.isInteger(n)) return uint(out, at, n);
    // A time the builder rounded to 1/100 ms: its shortest form is the decimal k/100 (doubles
    // this small are far closer together than 0.01), written without a string.
    const cents = Math.round(n * 100);
    if (cents / 100 === n && cents < 2_147_483_648) {
      const whole = (cents / 100) | 0;
      const frac = cents - whole * 100;
      at = uint(out, at, whole);
      out[at++] = 0x2e; // .
      out[at++] = ZERO + ((frac / 10) | 0);
      if (frac % 10 !== 0) out[at++] = ZERO + (frac % 10);
      return at;
    }
  }
  if (Number.isInteger(n) && n >= 0 && n < 1e15) return uint(out, at, n);
  if (!Number.isFinite(n)) return bytes(out, at, NULL);
  // A negative number or another fraction: its shortest form, ASCII.
  const text = String(n);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** A non-negative integer below 1e15 in decimal. */
function uint(out: Buffer, at: number, n: number): number {
  if (n < 10) {
    out[at] = ZERO + n;
    return at + 1;
  }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let m = n;
  for (let i = digits - 1; i >= 0; i--) {
    const q = Math.floor(m / 10);
    out[at + i] = ZERO + (m - q * 10);
    m = q;
  }
  return at + digits;
}
