import { isObject } from '../translate/guards.js';
import type { JsonObject } from '../translate/types.js';
import type { UsageReport } from './record-builder.js';
import { parseJsonData, sseEventSpans } from './sse-events.js';
import { mayCarryUsage, usageFromOpenAI } from './usage-extractor.js';

/** The upstream body to send, and whether the gateway asked for usage the client did not. */
export interface StreamUsageRequest {
  body: JsonObject;
  /** True when `stream_options.include_usage` was added: drop the usage chunk from the reply. */
  injected: boolean;
}

/**
 * For an OpenAI-compatible streamed request whose client did not ask for usage: the same body
 * with `stream_options.include_usage: true`, so that the audit record still gets the token
 * counts. Pure: the given body is never changed. Only for upstreams that accept the option
 * (a model's `streamingUsage` capability). A client that set `include_usage: false` is treated
 * like one that said nothing: the upstream is asked, and the client still sees no usage chunk.
 */
export function askForStreamUsage(body: JsonObject): StreamUsageRequest {
  if (body.stream !== true) return { body, injected: false };
  const options = isObject(body.stream_options) ? body.stream_options : undefined;
  if (options?.include_usage === true) return { body, injected: false };
  return {
    body: { ...body, stream_options: { ...options, include_usage: true } },
    injected: true,
  };
}

/** What a chunk filter lets through, and the usage it found. */
export interface FilteredEvents {
  /** The events for the client: the input itself when nothing was dropped. */
  events: Buffer;
  usage: UsageReport | undefined;
}

const USAGE_MARK = '"usage"';

/**
 * Reads usage from an OpenAI stream and, when the gateway injected `include_usage`, drops the
 * usage-only chunk (`choices: []` with a usage) that the client never asked for. Takes whole
 * SSE events (SseFramer's output); costs one `indexOf` for events without a usage.
 */
export function filterUsageChunk(events: Buffer, injected: boolean): FilteredEvents {
  if (!mayCarryUsage(events)) return { events, usage: undefined };
  let usage: UsageReport | undefined;
  let kept: Buffer[] | undefined;
  let from = 0;
  for (const span of sseEventSpans(events)) {
    if (span.data === undefined || !span.data.includes(USAGE_MARK)) continue;
    const chunk = parseJsonData(span.data);
    if (!isObject(chunk)) continue;
    const report = usageFromOpenAI(chunk.usage);
    if (report === undefined) continue;
    usage = report;
    if (injected && Array.isArray(chunk.choices) && chunk.choices.length === 0) {
      (kept ??= []).push(events.subarray(from, span.start));
      from = span.end;
    }
  }
  if (kept === undefined) return { events, usage };
  kept.push(events.subarray(from));
  return { events: Buffer.concat(kept), usage };
}
