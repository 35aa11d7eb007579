import type {
  AttemptOutcome,
  AuditAttempt,
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
  private attemptStart = 0;
  private attemptOutcome: AttemptOutcome | undefined;
  private attemptError: string | undefined;
  private attemptMs = 0;
  private earlier: AuditAttempt[] | undefined;
  private coldStart = false;
  private modelWaitMs = NOT_SEEN;
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
    this.attemptStart = now;
    this.attemptOutcome = undefined;
    this.attemptError = undefined;
  }

  attemptEnded(outcome: AttemptOutcome, errorCode: string | undefined, now: number): void {
    if (this.target === undefined || this.attemptOutcome !== undefined) return;
    this.attemptOutcome = outcome;
    this.attemptError = errorCode;
    this.attemptMs = now - this.attemptStart;
  }

  /** The request waited `waitedMs` for a local model; `coldStart` when the model had to start. */
  modelReady(waitedMs: number, coldStart: boolean): void {
    this.modelWaitMs = (this.modelWaitMs === NOT_SEEN ? 0 : this.modelWaitMs) + waitedMs;
    if (coldStart) this.coldStart = true;
  }

  /** The first upstream body byte (later calls are ignored). */
  firstByte(now: number): void {
    if (this.firstByteAt === NOT_SEEN) this.firstByteAt = now;
  }

  /** The first generated token (later calls are ignored). */
  firstToken(now: number): void {
    if (this.firstTokenAt === NOT_SEEN) this.firstTokenAt = now;
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
    this.endedAt = now;
  }

  /**
   * The record, made once; `now` is the end on the same clock as the start (by default the
   * time given to `ended`).
   */
  end(now: number = this.endedAt): AuditRecord {
    const record: AuditRecord = {
      v: 1,
      time: isoTime(this.wallMs),
      requestId: this.requestId,
      api: this.api,
      stream: this.stream,
      attempts: this.attempts(now),
      coldStart: this.coldStart,
      status: this.status,
      complete: this.incomplete === undefined,
      durationMs: round(now - this.startMs),
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
    };
    if (this.client !== undefined) record.client = this.client;
    if (this.model !== undefined) record.model = this.model;
    if (this.target !== undefined) record.resolvedModel = this.target;
    if (this.backend !== undefined) record.backend = this.backend;
    if (this.modelWaitMs !== NOT_SEEN) record.modelWaitMs = round(this.modelWaitMs);
    if (this.errorCode !== undefined) record.errorCode = this.errorCode;
    if (this.incomplete !== undefined) record.incomplete = this.incomplete;
    if (this.firstByteAt !== NOT_SEEN) record.ttfbMs = round(this.firstByteAt - this.startMs);
    if (this.firstTokenAt !== NOT_SEEN) record.ttftMs = round(this.firstTokenAt - this.startMs);
    if (this.input !== NOT_SEEN || this.output !== NOT_SEEN) {
      record.usage = {
        input: Math.max(0, this.input),
        output: Math.max(0, this.output),
        cacheRead: Math.max(0, this.cacheRead),
        cacheWrite: Math.max(0, this.cacheWrite),
      };
    }
    const capture = this.capture?.result();
    if (capture !== undefined) record.capture = capture;
    return record;
  }

  private attempts(now: number): AuditAttempt[] {
    if (this.target === undefined) return this.earlier ?? [];
    const list = this.earlier ?? [];
    list.push(this.currentAttempt(now));
    return list;
  }

  private keepAttempt(now: number): void {
    (this.earlier ??= []).push(this.currentAttempt(now));
  }

  private currentAttempt(now: number): AuditAttempt {
    const ended = this.attemptOutcome !== undefined;
    const attempt: AuditAttempt = {
      target: this.target ?? '',
      backend: this.backend ?? '',
      // An attempt nobody reported the end of ended with the request: by its outcome.
      outcome: this.attemptOutcome ?? (this.errorCode === undefined ? 'ok' : 'error'),
      durationMs: round(ended ? this.attemptMs : now - this.attemptStart),
    };
    const code = ended ? this.attemptError : this.errorCode;
    if (code !== undefined) attempt.errorCode = code;
    return attempt;
  }
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, with the date and time up to the second made once per second:
 * requests ending in the same second share it, and only the milliseconds are written.
 */
export function isoTime(wallMs: number): string {
  const ms = Math.floor(wallMs);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    cachedPrefix = iso.slice(0, iso.length - 4);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
