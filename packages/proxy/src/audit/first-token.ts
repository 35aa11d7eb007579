import { isObject } from '../translate/guards.js';
import { BytePattern } from './byte-search.js';
import { parseJsonData, sseEventSpans } from './sse-events.js';
import type { UsageFormat } from './usage-extractor.js';

const ANTHROPIC_DELTA = new BytePattern(Buffer.from('content_block_delta'));
const OPENAI_MARKS = [
  new BytePattern(Buffer.from('"delta"')),
  new BytePattern(Buffer.from('"text"')),
];

/**
 * Whether a buffer of whole SSE events carries a generated token: an Anthropic
 * `content_block_delta`, or an OpenAI chunk whose delta has content, reasoning or a tool call
 * (or a legacy completion's text). Called only until the first token is seen; a role-only
 * first chunk does not count.
 */
export function hasFirstToken(format: UsageFormat, events: Buffer | string): boolean {
  const buf = typeof events === 'string' ? Buffer.from(events) : events;
  if (format === 'anthropic') return ANTHROPIC_DELTA.indexIn(buf) !== -1;
  // Only the events that carry a mark are read, one at a time, until one has a token: a batch
  // of hundreds of events is not parsed whole for the one at its start.
  for (const mark of OPENAI_MARKS) {
    let at = mark.indexIn(buf);
    while (at !== -1) {
      const start = eventStart(buf, at);
      const endAt = buf.indexOf(EVENT_END, at);
      const end = endAt === -1 ? buf.length : endAt + EVENT_END.length;
      const span = sseEventSpans(buf.subarray(start, end))[0];
      if (openAIChunkHasToken(parseJsonData(span?.data))) return true;
      at = mark.indexIn(buf, end);
    }
  }
  return false;
}

const EVENT_END = Buffer.from('\n\n');

/** Where the event holding byte `at` begins: just past the blank line before it. */
function eventStart(buf: Buffer, at: number): number {
  const before = buf.lastIndexOf(EVENT_END, at);
  return before === -1 ? 0 : before + EVENT_END.length;
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
