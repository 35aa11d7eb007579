import type {
  AttemptOutcome,
  AuditAttempt,
  AuditCapture,
  AuditRecord,
  AuditUsage,
  IncompleteReason,
} from './audit-record.js';
import type { BodyCapture } from './body-capture.js';

/** A usage report that may carry only some counts (an Anthropic stream sends them in two events). */
export type UsageReport = Partial<AuditUsage>;

/** The phases of the proxy's attempt timeouts (see upstream-error.ts). */
export type TimeoutPhaseName = 'connect' | 'first byte' | 'idle' | 'total';

const TIMEOUT_REASONS: Readonly<Record<TimeoutPhaseName, IncompleteReason>> = {
  connect: 'timeout_connect',
  'first byte': 'timeout_first_byte',
  idle: 'timeout_idle',
  total: 'timeout_total',
};

export function incompleteReasonOfTimeout(phase: TimeoutPhaseName): IncompleteReason {
  return TIMEOUT_REASONS[phase];
}

const NOT_SEEN = -1;

/**
 * Collects what one request did while it runs and makes its AuditRecord when it ends. Built for
 * the hot path: every call stores a primitive in a field (times are the caller's clock readings,
 * in milliseconds); the record, its strings and its attempt list are made once, in `end()`.
 * Only a fallback chain allocates before that (one small entry per extra attempt).
 */
export class AuditRecordBuilder {
  private client: string | undefined;
  private model: string | undefined;
  private stream = false;
  private bytesIn = 0;
  private bytesOut = 0;
  // The attempt under way, and the ones before it when fallbacks ran.
  private target: string | undefined;
  private backend: string | undefined;
  // Times are kept as whole hundredths of a millisecond since the start (the record's
  // precision): small integers, held in the object itself, where a time as a double would be
  // a number box of its own per field.
  private attemptStart = 0;
  private attemptOutcome: AttemptOutcome | undefined;
  private attemptError: string | undefined;
  private attemptTook = 0;
  private earlier: AuditAttempt[] | undefined;
  private coldStart = false;
  private modelWait = NOT_SEEN;
  private firstByteAt = NOT_SEEN;
  private firstTokenAt = NOT_SEEN;
  private input = NOT_SEEN;
  private output = NOT_SEEN;
  private cacheRead = NOT_SEEN;
  private cacheWrite = NOT_SEEN;
  private status = 0;
  private errorCode: string | undefined;
  private incomplete: IncompleteReason | undefined;
  private capture: BodyCapture | undefined;
  private endedAt = NOT_SEEN;

  /**
   * @param startMs the request's arrival on the caller's (monotonic) clock
   * @param wallMs the same instant in epoch milliseconds, for the record's `time`
   */
  constructor(
    readonly requestId: string,
    readonly api: string,
    private readonly startMs: number,
    private readonly wallMs: number,
  ) {}

  setClient(name: string | undefined): void {
    this.client = name;
  }

  setModel(requested: string | undefined, stream: boolean): void {
    this.model = requested;
    this.stream = stream;
  }

  addBytesIn(n: number): void {
    this.bytesIn += n;
  }

  addBytesOut(n: number): void {
    this.bytesOut += n;
  }

  /** Body capture for this request, when the operator opted in for its model or client. */
  setCapture(capture: BodyCapture | undefined): void {
    this.capture = capture;
  }

  get capturing(): BodyCapture | undefined {
    return this.capture;
  }

  attemptBegan(target: string, backend: string, now: number): void {
    if (this.target !== undefined) this.keepAttempt(now);
    this.target = target;
    this.backend = backend;
    this.attemptStart = this.since(now);
    this.attemptOutcome = undefined;
    this.attemptError = undefined;
  }

  attemptEnded(outcome: AttemptOutcome, errorCode: string | undefined, now: number): void {
    if (this.target === undefined || this.attemptOutcome !== undefined) return;
    this.attemptOutcome = outcome;
    this.attemptError = errorCode;
    this.attemptTook = this.since(now) - this.attemptStart;
  }

  /** The request waited `waitedMs` for a local model; `coldStart` when the model had to start. */
  modelReady(waitedMs: number, coldStart: boolean): void {
    this.modelWait = (this.modelWait === NOT_SEEN ? 0 : this.modelWait) + hundredths(waitedMs);
    if (coldStart) this.coldStart = true;
  }

  /** The first upstream body byte (later calls are ignored). */
  firstByte(now: number): void {
    if (this.firstByteAt === NOT_SEEN) this.firstByteAt = this.since(now);
  }

  /** The first generated token (later calls are ignored). */
  firstToken(now: number): void {
    if (this.firstTokenAt === NOT_SEEN) this.firstTokenAt = this.since(now);
  }

  get sawFirstToken(): boolean {
    return this.firstTokenAt !== NOT_SEEN;
  }

  /** Input plus output tokens the upstream reported; undefined when it reported none. */
  /** The target of the attempt under way or the last one (the one that answered, if any). */
  get currentTarget(): string | undefined {
    return this.target;
  }

  get usedTokens(): number | undefined {
    if (this.input === NOT_SEEN && this.output === NOT_SEEN) return undefined;
    return Math.max(0, this.input) + Math.max(0, this.output);
  }

  /** Counts from an upstream usage object; a count seen again replaces the earlier one. */
  usage(report: UsageReport): void {
    if (report.input !== undefined) this.input = report.input;
    if (report.output !== undefined) this.output = report.output;
    if (report.cacheRead !== undefined) this.cacheRead = report.cacheRead;
    if (report.cacheWrite !== undefined) this.cacheWrite = report.cacheWrite;
  }

  /**
   * The same as `usage()` from four counts, -1 for a count not reported: no report object
   * (usage-bytes.ts reads a JSON answer's usage this way).
   */
  usageCounts(input: number, output: number, cacheRead: number, cacheWrite: number): void {
    if (input >= 0) this.input = input;
    if (output >= 0) this.output = output;
    if (cacheRead >= 0) this.cacheRead = cacheRead;
    if (cacheWrite >= 0) this.cacheWrite = cacheWrite;
  }

  setStatus(status: number): void {
    this.status = status;
  }

  /** The stable code of the error the request ended with (the first one given wins). */
  fail(code: string): void {
    this.errorCode ??= code;
  }

  /** The response ended early (the first reason given wins). */
  setIncomplete(reason: IncompleteReason): void {
    this.incomplete ??= reason;
  }

  /** The request ended at `now` (the caller's clock); its record is made later, by `end()`. */
  ended(now: number): void {
    this.endedAt = this.since(now);
  }

  /** `now` (the caller's clock) in hundredths of a millisecond since the start. */
  private since(now: number): number {
    return hundredths(now - this.startMs);
  }

  /**
   * The record, made once; `now` is the end on the same clock as the start (by default the
   * time given to `ended`).
   */
  end(now?: number): AuditRecord {
    const took = now === undefined ? this.endedAt : this.since(now);
    const record: AuditRecord = {
      v: 1,
      time: isoTime(this.wallMs),
      requestId: this.requestId,
      api: this.api,
      stream: this.stream,
      attempts: this.attempts(took),
      coldStart: this.coldStart,
      status: this.status,
      complete: this.incomplete === undefined,
      durationMs: took / 100,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
    if (this.client !== undefined) record.client = this.client;
    if (this.model !== undefined) record.model = this.model;
    if (this.target !== undefined) record.resolvedModel = this.target;
    if (this.backend !== undefined) record.backend = this.backend;
    if (this.modelWait !== NOT_SEEN) record.modelWaitMs = this.modelWait / 100;
    if (this.errorCode !== undefined) record.errorCode = this.errorCode;
    if (this.incomplete !== undefined) record.incomplete = this.incomplete;
    if (this.firstByteAt !== NOT_SEEN) record.ttfbMs = this.firstByteAt / 100;
    if (this.firstTokenAt !== NOT_SEEN) record.ttftMs = this.firstTokenAt / 100;
    if (this.hasUsage())
      record.usage = this.usageInto({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    const capture = this.capture?.result();
    if (capture !== undefined) record.capture = capture;
    return record;
  }

  /**
   * The same record written into `into`, a record reused from one request to the next, with
   * its attempt and its usage (nothing allocated but the time, and the attempt list when
   * fallbacks ran): for a consumer that reads the record at once and keeps nothing of it (the
   * file writer serialises it, the metrics count it). Made afresh by `end()`, the record was
   * most of the garbage an audited request left (docs/benchmarks.md, "tenth look").
   */
  endInto(into: ReusedRecord, now?: number): AuditRecord {
    const took = now === undefined ? this.endedAt : this.since(now);
    into.time = isoTime(this.wallMs);
    into.requestId = this.requestId;
    into.api = this.api;
    into.stream = this.stream;
    into.attempts =
      this.earlier === undefined && this.target !== undefined
        ? this.currentAttemptInto(into.attemptSlot, into.attemptList, took)
        : this.attempts(took);
    into.coldStart = this.coldStart;
    into.status = this.status;
    into.complete = this.incomplete === undefined;
    into.durationMs = took / 100;
    into.bytesIn = this.bytesIn;
    into.bytesOut = this.bytesOut;
    into.client = this.client;
    into.model = this.model;
    into.resolvedModel = this.target;
    into.backend = this.backend;
    into.modelWaitMs = this.modelWait === NOT_SEEN ? undefined : this.modelWait / 100;
    into.errorCode = this.errorCode;
    into.incomplete = this.incomplete;
    into.ttfbMs = this.firstByteAt === NOT_SEEN ? undefined : this.firstByteAt / 100;
    into.ttftMs = this.firstTokenAt === NOT_SEEN ? undefined : this.firstTokenAt / 100;
    into.usage = this.hasUsage() ? this.usageInto(into.usageSlot) : undefined;
    into.capture = this.capture?.result();
    return into;
  }

  private hasUsage(): boolean {
    return this.input !== NOT_SEEN || this.output !== NOT_SEEN;
  }

  private usageInto(usage: AuditUsage): AuditUsage {
    usage.input = Math.max(0, this.input);
    usage.output = Math.max(0, this.output);
    usage.cacheRead = Math.max(0, this.cacheRead);
    usage.cacheWrite = Math.max(0, this.cacheWrite);
    return usage;
  }

  /** The one attempt of a request without fallbacks, written into a reused entry. */
  private currentAttemptInto(
    attempt: AuditAttempt,
    list: AuditAttempt[],
    took: number,
  ): AuditAttempt[] {
    const ended = this.attemptOutcome !== undefined;
    attempt.target = this.target ?? '';
    attempt.backend = this.backend ?? '';
    attempt.outcome = this.attemptOutcome ?? (this.errorCode === undefined ? 'ok' : 'error');
    attempt.durationMs = (ended ? this.attemptTook : took - this.attemptStart) / 100;
    attempt.errorCode = ended ? this.attemptError : this.errorCode;
    return list;
  }

  /** `took`: hundredths of a millisecond from the start to the end. */
  private attempts(took: number): AuditAttempt[] {
    if (this.target === undefined) return this.earlier ?? [];
    const list = this.earlier ?? [];
    list.push(this.currentAttempt(took));
    return list;
  }

  private keepAttempt(now: number): void {
    (this.earlier ??= []).push(this.currentAttempt(this.since(now)));
  }

  private currentAttempt(took: number): AuditAttempt {
    const ended = this.attemptOutcome !== undefined;
    const attempt: AuditAttempt = {
      target: this.target ?? '',
      backend: this.backend ?? '',
      // An attempt nobody reported the end of ended with the request: by its outcome.
      outcome: this.attemptOutcome ?? (this.errorCode === undefined ? 'ok' : 'error'),
      durationMs: (ended ? this.attemptTook : took - this.attemptStart) / 100,
    };
    const code = ended ? this.attemptError : this.errorCode;
    if (code !== undefined) attempt.errorCode = code;
    return attempt;
  }
}

/**
 * A record filled again for each request by `AuditRecordBuilder.endInto`, its optional fields
 * undefined when absent (JSON.stringify skips them, as the file writer does). The entry of its
 * one attempt and its usage counts are reused with it.
 */
export class ReusedRecord implements AuditRecord {
  readonly v = 1;
  time = '';
  requestId = '';
  api = '';
  stream = false;
  attempts: AuditAttempt[] = [];
  coldStart = false;
  status = 0;
  complete = true;
  durationMs = 0;
  bytesIn = 0;
  bytesOut = 0;
  client: string | undefined = undefined;
  model: string | undefined = undefined;
  resolvedModel: string | undefined = undefined;
  backend: string | undefined = undefined;
  modelWaitMs: number | undefined = undefined;
  errorCode: string | undefined = undefined;
  incomplete: IncompleteReason | undefined = undefined;
  ttfbMs: number | undefined = undefined;
  ttftMs: number | undefined = undefined;
  usage: AuditUsage | undefined = undefined;
  capture: AuditCapture | undefined = undefined;
  // What the record points to, kept with it (private: not fields of the record's JSON).
  readonly #attempt: AuditAttempt = {
    target: '',
    backend: '',
    outcome: 'ok',
    durationMs: 0,
    errorCode: undefined,
  };
  readonly #attempts: AuditAttempt[] = [this.#attempt];
  readonly #usage: AuditUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

  /** The entry for a request's one attempt (`attemptList` is the list of it alone). */
  get attemptSlot(): AuditAttempt {
    return this.#attempt;
  }

  get attemptList(): AuditAttempt[] {
    return this.#attempts;
  }

  get usageSlot(): AuditUsage {
    return this.#usage;
  }
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';
let cachedMs = Number.NaN;
let cachedTime = '';

/**
 * `new Date(ms).toISOString()`, with the date and time up to the second made once per second
 * and the whole text once per millisecond: requests ending in the same millisecond (a dozen,
 * under load) share one string.
 */
export function isoTime(wallMs: number): string {
  const ms = Math.floor(wallMs);
  if (ms === cachedMs) return cachedTime;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    cachedPrefix = iso.slice(0, iso.length - 4);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  cachedMs = ms;
  cachedTime = `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  return cachedTime;
}

function hundredths(ms: number): number {
  return Math.round(ms * 100);
}
