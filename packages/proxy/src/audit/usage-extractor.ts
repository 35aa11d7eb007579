import { asNumber, isObject } from '../translate/guards.js';
import { openAIUsageToAnthropic } from '../translate/usage.js';
import type { UsageReport } from './record-builder.js';
import { parseJsonData, sseEventSpans } from './sse-events.js';

/** The wire format of an upstream answer. */
export type UsageFormat = 'openai' | 'anthropic';

const USAGE_MARK = '"usage"';
/** The same mark as bytes: Buffer#indexOf with a string converts it on every call. */
const USAGE_MARK_BYTES = Buffer.from(USAGE_MARK);

/** Whether whole events may carry a usage (a cheap byte search). */
export function mayCarryUsage(events: Buffer | string): boolean {
  return typeof events === 'string'
    ? events.includes(USAGE_MARK)
    : events.indexOf(USAGE_MARK_BYTES) !== -1;
}

/**
 * An OpenAI usage object (chat, completions, embeddings) as audit counts. The conversion to
 * Anthropic's split (cached tokens out of the input) is the translator's (translate/usage.ts);
 * an upstream that also reports `cache_creation_input_tokens` (the gateway's own translation
 * and LiteLLM-style servers do) has those moved out of the input as well.
 */
export function usageFromOpenAI(usage: unknown): UsageReport | undefined {
  const split = openAIUsageToAnthropic(usage);
  if (split === undefined || !isObject(usage)) return undefined;
  const written = Math.min(split.input_tokens, asNumber(usage.cache_creation_input_tokens) ?? 0);
  return {
    input: split.input_tokens - written,
    output: split.output_tokens,
    cacheRead: split.cache_read_input_tokens ?? 0,
    cacheWrite: written,
  };
}

/** An Anthropic usage object as audit counts; only the counts it carries (a delta may be partial). */
export function usageFromAnthropic(usage: unknown): UsageReport | undefined {
  if (!isObject(usage)) return undefined;
  const report: UsageReport = {};
  const input = asNumber(usage.input_tokens);
  const output = asNumber(usage.output_tokens);
  const cacheRead = asNumber(usage.cache_read_input_tokens);
  const cacheWrite = asNumber(usage.cache_creation_input_tokens);
  if (input !== undefined) report.input = input;
  if (output !== undefined) report.output = output;
  if (cacheRead !== undefined) report.cacheRead = cacheRead;
  if (cacheWrite !== undefined) report.cacheWrite = cacheWrite;
  return report;
}

/** Usage of a whole (non-streamed) JSON answer: an OpenAI completion or an Anthropic message. */
export function usageFromJsonBody(format: UsageFormat, body: unknown): UsageReport | undefined {
  if (!isObject(body)) return undefined;
  return format === 'openai' ? usageFromOpenAI(body.usage) : usageFromAnthropic(body.usage);
}

/** Usage carried by one parsed stream event: an OpenAI chunk, or Anthropic's message_start/delta. */
export function usageFromStreamEvent(format: UsageFormat, event: unknown): UsageReport | undefined {
  if (!isObject(event)) return undefined;
  if (format === 'openai') return usageFromOpenAI(event.usage);
  if (event.type === 'message_start' && isObject(event.message)) {
    return usageFromAnthropic(event.message.usage);
  }
  if (event.type === 'message_delta') return usageFromAnthropic(event.usage);
  return undefined;
}

/**
 * Usage in a buffer of whole SSE events, merged (a later count replaces an earlier one), or
 * undefined. Costs one `indexOf` for the events that carry none, which is nearly all of them.
 */
export function usageFromSseEvents(
  format: UsageFormat,
  events: Buffer | string,
): UsageReport | undefined {
  if (!mayCarryUsage(events)) return undefined;
  const buf = typeof events === 'string' ? Buffer.from(events) : events;
  let merged: UsageReport | undefined;
  for (const span of sseEventSpans(buf)) {
    if (span.data === undefined || !span.data.includes(USAGE_MARK)) continue;
    const report = usageFromStreamEvent(format, parseJsonData(span.data));
    if (report !== undefined) merged = { ...merged, ...report };
  }
  return merged;
}
