import { isObject } from '../translate/guards.js';
import { parseJsonData, sseEventSpans } from './sse-events.js';
import type { UsageFormat } from './usage-extractor.js';

const ANTHROPIC_DELTA = Buffer.from('content_block_delta');
const OPENAI_MARKS = [Buffer.from('"delta"'), Buffer.from('"text"')];

/**
 * Whether a buffer of whole SSE events carries a generated token: an Anthropic
 * `content_block_delta`, or an OpenAI chunk whose delta has content, reasoning or a tool call
 * (or a legacy completion's text). Called only until the first token is seen; a role-only
 * first chunk does not count.
 */
export function hasFirstToken(format: UsageFormat, events: Buffer | string): boolean {
  const buf = typeof events === 'string' ? Buffer.from(events) : events;
  if (format === 'anthropic') return buf.indexOf(ANTHROPIC_DELTA) !== -1;
  if (!OPENAI_MARKS.some((mark) => buf.indexOf(mark) !== -1)) return false;
  return sseEventSpans(buf).some((span) => openAIChunkHasToken(parseJsonData(span.data)));
}

function openAIChunkHasToken(chunk: unknown): boolean {
  if (!isObject(chunk) || !Array.isArray(chunk.choices)) return false;
  for (const choice of chunk.choices as unknown[]) {
    if (!isObject(choice)) continue;
    if (nonEmpty(choice.text)) return true;
    const delta = choice.delta;
    if (!isObject(delta)) continue;
    if (nonEmpty(delta.content) || nonEmpty(delta.reasoning_content) || nonEmpty(delta.reasoning))
      return true;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return true;
  }
  return false;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
