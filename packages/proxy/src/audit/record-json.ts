import type { AuditAttempt, AuditRecord } from './audit-record.js';

/**
 * An audit record's JSON line written straight into a byte buffer: the same text as
 * `JSON.stringify(record)` for a record the builder made (its fields in the builder's order),
 * without the string of it. Per request that string (~450 characters) was the largest piece of
 * garbage the audit log left, and the stringify its largest cost in a profile. Field names are
 * bytes made once; ASCII strings and integers are written by a plain loop; anything else (a
 * string to escape or beyond ASCII, a fraction, the capture) goes through JSON.stringify.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

/** `,"name":` as bytes (the first field has no comma). */
const key = (name: string, first = false): Buffer =>
  Buffer.from(`${first ? '' : ','}${JSON.stringify(name)}:`, 'latin1');

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

let out: Buffer = Buffer.alloc(0);
let at = 0;

/**
 * Writes the record's JSON at `offset` of `buf` (which has recordJsonBound bytes free there);
 * answers the offset after it.
 */
export function writeRecordJson(buf: Buffer, offset: number, r: AuditRecord): number {
  return r.attempts.length === 1 && r.capture === undefined
    ? writeOneAttempt(buf, offset, r)
    : writeAnyRecord(buf, offset, r);
}

/**
 * The runs of a line that repeat from request to request, as the bytes JSON.stringify makes of
 * them, kept for the last few combinations of their values: what the API, the target, the
 * outcome, the status and the names of a record are, its line mostly is.
 */
class Runs {
  private readonly keys: unknown[][] = [];
  private readonly runs: Buffer[] = [];
  private next = 0;

  constructor(private readonly render: (...values: never[]) => string) {}

  /** The run for these values (compared with ===), rendered on first use. */
  of(a: unknown, b: unknown, c: unknown, d: unknown, e?: unknown): Buffer {
    const { keys } = this;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as unknown[];
      if (k[0] === a && k[1] === b && k[2] === c && k[3] === d && k[4] === e) {
        return this.runs[i] as Buffer;
      }
    }
    const run = Buffer.from((this.render as (...v: unknown[]) => string)(a, b, c, d, e), 'utf8');
    const slot = keys.length < RUNS_KEPT ? keys.length : this.next++ % RUNS_KEPT;
    keys[slot] = [a, b, c, d, e];
    this.runs[slot] = run;
    return run;
  }
}

const RUNS_KEPT = 16;
const json = JSON.stringify;
const opt = (name: string, value: unknown): string =>
  value === undefined ? '' : `,${json(name)}:${json(value)}`;

/** From `,"api":` to the attempt's `"durationMs":`. */
const HEAD = new Runs(
  (api: string, stream: boolean, target: string, backend: string, outcome: string) =>
    `,"api":${json(api)},"stream":${json(stream)},"attempts":[{"target":${json(target)},` +
    `"backend":${json(backend)},"outcome":${json(outcome)},"durationMs":`,
);
/** From the attempt's error code to the record's `"durationMs":`. */
const MIDDLE = new Runs(
  (errorCode: string | undefined, coldStart: boolean, status: number, complete: boolean) =>
    `${opt('errorCode', errorCode)}}],"coldStart":${json(coldStart)},"status":${json(status)},` +
    `"complete":${json(complete)},"durationMs":`,
);
/** The names after the sizes. */
const NAMES = new Runs(
  (
    client: string | undefined,
    model: string | undefined,
    resolvedModel: string | undefined,
    backend: string | undefined,
  ) =>
    opt('client', client) +
    opt('model', model) +
    opt('resolvedModel', resolvedModel) +
    opt('backend', backend),
);

const OPEN = Buffer.from('{"v":1,"time":');

/**
 * A record of one attempt and no capture (nearly every record): the repeating runs copied
 * whole, only the times, the id, the sizes and the counts written one by one.
 */
function writeOneAttempt(buf: Buffer, offset: number, r: AuditRecord): number {
  if (r.v !== 1) return writeAnyRecord(buf, offset, r);
  const a = r.attempts[0] as AuditAttempt;
  out = buf;
  at = offset;
  bytes(OPEN);
  time(r.time);
  bytes(K.requestId);
  str(r.requestId);
  bytes(HEAD.of(r.api, r.stream, a.target, a.backend, a.outcome));
  num(a.durationMs);
  bytes(MIDDLE.of(a.errorCode, r.coldStart, r.status, r.complete));
  num(r.durationMs);
  bytes(K.bytesIn);
  num(r.bytesIn);
  bytes(K.bytesOut);
  num(r.bytesOut);
  bytes(NAMES.of(r.client, r.model, r.resolvedModel, r.backend));
  return writeTail(r);
}

/** Any record, field by field. */
function writeAnyRecord(buf: Buffer, offset: number, r: AuditRecord): number {
  out = buf;
  at = offset;
  out[at++] = 0x7b; // {
  bytes(K.v);
  num(r.v);
  bytes(K.time);
  str(r.time);
  bytes(K.requestId);
  str(r.requestId);
  bytes(K.api);
  str(r.api);
  bytes(K.stream);
  bool(r.stream);
  bytes(K.attempts);
  out[at++] = 0x5b; // [
  for (let i = 0; i < r.attempts.length; i++) {
    if (i > 0) out[at++] = 0x2c;
    attempt(r.attempts[i] as AuditAttempt);
  }
  out[at++] = 0x5d; // ]
  bytes(K.coldStart);
  bool(r.coldStart);
  bytes(K.status);
  num(r.status);
  bytes(K.complete);
  bool(r.complete);
  bytes(K.durationMs);
  num(r.durationMs);
  bytes(K.bytesIn);
  num(r.bytesIn);
  bytes(K.bytesOut);
  num(r.bytesOut);
  optStr(K.client, r.client);
  optStr(K.model, r.model);
  optStr(K.resolvedModel, r.resolvedModel);
  optStr(K.backend, r.backend);
  return writeTail(r);
}

/** From `modelWaitMs` to the end of the line. */
function writeTail(r: AuditRecord): number {
  optNum(K.modelWaitMs, r.modelWaitMs);
  optStr(K.errorCode, r.errorCode);
  optStr(K.incomplete, r.incomplete);
  optNum(K.ttfbMs, r.ttfbMs);
  optNum(K.ttftMs, r.ttftMs);
  const { usage, capture } = r;
  if (usage !== undefined) {
    bytes(K.usage);
    out[at++] = 0x7b; // {
    bytes(K.input);
    num(usage.input);
    bytes(K.output);
    num(usage.output);
    bytes(K.cacheRead);
    num(usage.cacheRead);
    bytes(K.cacheWrite);
    num(usage.cacheWrite);
    out[at++] = 0x7d; // }
  }
  if (capture !== undefined) {
    bytes(K.capture);
    at += out.write(JSON.stringify(capture), at, 'utf8');
  }
  out[at++] = 0x7d;
  const end = at;
  out = EMPTY;
  return end;
}

const EMPTY = Buffer.alloc(0);

function attempt(a: AuditAttempt): void {
  out[at++] = 0x7b;
  bytes(K.target);
  str(a.target);
  bytes(K.backend);
  str(a.backend);
  bytes(K.outcome);
  str(a.outcome);
  // JSON.stringify keeps the order the builder set them in: errorCode last.
  bytes(K.durationMs);
  num(a.durationMs);
  optStr(K.errorCode, a.errorCode);
  out[at++] = 0x7d;
}

function bytes(b: Buffer): void {
  out.set(b, at);
  at += b.length;
}

function bool(value: boolean): void {
  bytes(value ? TRUE : FALSE);
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function optStr(name: Buffer, value: string | undefined): void {
  if (value === undefined) return;
  bytes(name);
  str(value);
}

function optNum(name: Buffer, value: number | undefined): void {
  if (value === undefined) return;
  bytes(name);
  num(value);
}

let lastTime = '';
let lastTimeJson: Buffer = Buffer.alloc(0);

/**
 * The record's time as JSON, kept as bytes for the next records: the records of one batch
 * mostly share a handful of times (isoTime makes one string per millisecond).
 */
function time(s: string): void {
  if (s === lastTime) {
    bytes(lastTimeJson);
    return;
  }
  const start = at;
  str(s);
  lastTime = s;
  lastTimeJson = Buffer.from(out.subarray(start, at));
}

/** A string as JSON: copied when it is printable ASCII with nothing to escape. */
function str(s: string): void {
  const start = at;
  out[at++] = QUOTE;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
      at = start + out.write(JSON.stringify(s), start, 'utf8');
      return;
    }
    out[at++] = c;
  }
  out[at++] = QUOTE;
}

/** A number as JSON.stringify writes it. */
function num(n: number): void {
  if (n >= 0 && n < 2_147_483_648) {
    if (Number.isInteger(n)) {
      uint(n);
      return;
    }
    // A time the builder rounded to 1/100 ms: its shortest form is the decimal k/100 (doubles
    // this small are far closer together than 0.01), written without a string.
    const cents = Math.round(n * 100);
    if (cents / 100 === n && cents < 2_147_483_648) {
      const whole = (cents / 100) | 0;
      const frac = cents - whole * 100;
      uint(whole);
      out[at++] = 0x2e; // .
      out[at++] = ZERO + ((frac / 10) | 0);
      if (frac % 10 !== 0) out[at++] = ZERO + (frac % 10);
      return;
    }
  }
  if (Number.isInteger(n) && n >= 0 && n < 1e15) {
    uint(n);
    return;
  }
  if (!Number.isFinite(n)) {
    bytes(NULL);
    return;
  }
  // A negative number or another fraction: its shortest form, ASCII.
  const text = String(n);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
}

/** A non-negative integer below 1e15 in decimal. */
function uint(n: number): void {
  if (n < 10) {
    out[at++] = ZERO + n;
    return;
  }
  if (n >= 2_147_483_648) {
    largeUint(n);
    return;
  }
  // Below 2^31: integer divisions (a multiply and a shift), no Math.floor.
  let digits = 2;
  for (let limit = 100; n >= limit && digits < 10; limit *= 10) digits++;
  let m = n | 0;
  let i = at + digits - 1;
  const end = i + 1;
  while (m >= 10) {
    const q = (m / 10) | 0;
    out[i--] = ZERO + (m - q * 10);
    m = q;
  }
  out[i] = ZERO + m;
  at = end;
}

function largeUint(n: number): void {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let m = n;
  for (let i = digits - 1; i >= 0; i--) {
    const q = Math.floor(m / 10);
    out[at + i] = ZERO + (m - q * 10);
    m = q;
  }
  at += digits;
}
