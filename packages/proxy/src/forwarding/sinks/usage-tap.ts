import type { AuditRecordBuilder } from '../../audit/record-builder.js';
import { BytePattern } from '../../audit/byte-search.js';
import { hasFirstToken } from '../../audit/first-token.js';
import { filterUsageChunk } from '../../audit/stream-usage.js';
import { readUsageObject, USAGE_COUNTS } from '../../audit/usage-bytes.js';
import { usageFromJsonBody, usageFromSseEvents } from '../../audit/usage-extractor.js';
import type { UsageFormat } from '../../audit/usage-extractor.js';
import type { Clock } from '@mlx-gateway/shared/clock';
import { SseFramer } from '../../streaming/sse-framer.js';
import type { ResponseSink } from './response-sink.js';

/** What a sink needs to feed a request's audit record. */
export interface SinkAudit {
  audit: AuditRecordBuilder;
  /** The wire format of the upstream's answer. */
  format: UsageFormat;
  clock: Clock;
}

const USAGE_KEY = Buffer.from('"usage":');
const USAGE_PATTERN = new BytePattern(USAGE_KEY);
const SPACE = 0x20;
const BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether the events hold a usage object with counts (`"usage":{`): the `"usage":null` that
 * an OpenAI stream asked for its usage carries on every chunk is none. One `indexOf` for a batch
 * without a usage key.
 */
function hasUsageObject(events: Buffer): boolean {
  let at = USAGE_PATTERN.indexIn(events);
  while (at !== -1) {
    let i = at + USAGE_KEY.length;
    while (events[i] === SPACE) i++;
    if (events[i] === BRACE) return true;
    at = USAGE_PATTERN.indexIn(events, i);
  }
  return false;
}

/**
 * A stream whose first batches carry no generated token at all is not a chat stream as the
 * gateway knows them (a chat model's first content, reasoning or tool call comes in its first
 * chunks): after this many batches it is no longer scanned for one, and its record has no
 * time to first token.
 */
const MAX_TOKEN_LOOKS = 64;

/**
 * What the audit record learns from a stream on its way to the client: the time of the first
 * generated token and the upstream's usage. Takes whole SSE events; costs a few `indexOf` per
 * batch once the first token has been seen. When the gateway injected `include_usage`, the
 * usage-only chunk is removed from the events the client gets.
 */
export class StreamAuditTap {
  constructor(
    private readonly audit: AuditRecordBuilder,
    private readonly format: UsageFormat,
    private readonly injected: boolean,
    private readonly clock: Clock,
  ) {}

  /** Batches still to look at for a first token. */
  private tokenLooks = MAX_TOKEN_LOOKS;

  /** The events for the client (the same buffer unless a usage chunk was removed). */
  events(events: Buffer): Buffer {
    const { audit } = this;
    audit.capturing?.responseBody(events);
    if (this.tokenLooks > 0) {
      this.tokenLooks--;
      if (hasFirstToken(this.format, events)) {
        audit.firstToken(this.clock.now());
        this.tokenLooks = 0;
      }
    }
    if (!hasUsageObject(events)) return events;
    if (this.format === 'anthropic') {
      const usage = usageFromSseEvents('anthropic', events);
      if (usage !== undefined) audit.usage(usage);
      return events;
    }
    const filtered = filterUsageChunk(events, this.injected);
    if (filtered.usage !== undefined) audit.usage(filtered.usage);
    return filtered.events;
  }
}

/**
 * Watches a stream the inner sink translates for another API: the upstream's events are framed
 * here only to be read (first token, usage); the inner sink gets the chunks unchanged.
 */
export class TranslatedStreamTapSink implements ResponseSink {
  private readonly framer = new SseFramer();

  constructor(
    private readonly inner: ResponseSink,
    private readonly tap: StreamAuditTap,
  ) {
    this.broken = inner.broken?.bind(inner);
  }

  data(chunk: Buffer): void {
    const framed = this.framer.push(chunk);
    if (framed !== undefined) this.tap.events(framed);
    this.inner.data(chunk);
  }

  end(): void {
    const rest = this.framer.flush();
    if (rest !== undefined) this.tap.events(rest);
    this.inner.end();
  }

  readonly broken: ResponseSink['broken'];
}

/** Bodies above this are relayed without being read for usage. */
const MAX_BODY_READ = 4 * 1024 * 1024;

/**
 * Reads the usage of a whole (non-streamed) successful answer at its end. The chunks are kept
 * by reference as they pass (no copy until the end), up to MAX_BODY_READ.
 */
export class BodyUsageTapSink implements ResponseSink {
  /** The body's first chunk, then (when more come) all of them; undefined past MAX_BODY_READ. */
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;
  readonly broken: ResponseSink['broken'];

  constructor(
    private readonly inner: ResponseSink,
    private readonly audit: AuditRecordBuilder,
    private readonly format: UsageFormat,
  ) {
    this.broken = inner.broken?.bind(inner);
  }

  data(chunk: Buffer): void {
    this.audit.capturing?.responseBody(chunk);
    if (this.size <= MAX_BODY_READ) {
      this.size += chunk.length;
      if (this.size > MAX_BODY_READ) {
        this.first = undefined;
        this.more = undefined;
      } else if (this.first === undefined) {
        // A small answer comes in one chunk: it is kept without an array.
        this.first = chunk;
      } else {
        (this.more ??= [this.first]).push(chunk);
      }
    }
    this.inner.data(chunk);
  }

  end(): void {
    const body =
      this.size > MAX_BODY_READ || this.first === undefined
        ? undefined
        : this.more === undefined
          ? this.first
          : Buffer.concat(this.more);
    this.first = undefined;
    this.more = undefined;
    if (body !== undefined) readBodyUsage(this.audit, this.format, body);
    this.inner.end();
  }
}

/**
 * The usage of a JSON body: its last top-level-looking `"usage":{...}` object, read in place
 * to its closing brace when it has the usual shape (usage-bytes.ts), else parsed alone (its
 * braces matched: usage objects hold numbers and nested objects, no strings with braces),
 * never the whole answer.
 */
function readBodyUsage(audit: AuditRecordBuilder, format: UsageFormat, body: Buffer): void {
  const start = usageObjectStart(body);
  if (start === -1) return;
  if (readUsageObject(format, body, start) !== -1) {
    const c = USAGE_COUNTS;
    if (format === 'anthropic') {
      audit.usageCounts(c.input, c.output, c.cacheRead, c.cacheWrite);
      return;
    }
    // As usageFromOpenAI: cached tokens, then cache writes, moved out of the prompt's.
    const prompt = Math.max(0, c.input);
    const cached = Math.min(prompt, Math.max(0, c.cacheRead));
    const written = Math.min(prompt - cached, Math.max(0, c.cacheWrite));
    audit.usageCounts(prompt - cached - written, Math.max(0, c.output), cached, written);
    return;
  }
  const end = closingBrace(body, start);
  if (end === -1) return;
  const report = usageFromJsonBody(format, { usage: parseJson(body.subarray(start, end)) });
  if (report !== undefined) audit.usage(report);
}

/** The index after the brace that closes the one at `start`, or -1. */
function closingBrace(body: Buffer, start: number): number {
  let depth = 0;
  for (let j = start; j < body.length; j++) {
    if (body[j] === BRACE) depth++;
    else if (body[j] === CLOSE_BRACE && --depth === 0) return j + 1;
  }
  return -1;
}

/** Where the last `"usage":{` object of a body begins (its brace), or -1. */
function usageObjectStart(body: Buffer): number {
  let at = USAGE_PATTERN.lastIndexIn(body);
  while (at !== -1) {
    let i = at + USAGE_KEY.length;
    while (body[i] === SPACE) i++;
    if (body[i] === BRACE) return i;
    at = at === 0 ? -1 : USAGE_PATTERN.lastIndexIn(body, at - 1);
  }
  return -1;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
