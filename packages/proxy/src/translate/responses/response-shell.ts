import { randomUUID } from 'node:crypto';
import type { OpenAIUsage } from '../types.js';
import type {
  ResponsesOutputItem,
  ResponsesRequest,
  ResponsesResponse,
  ResponsesUsage,
} from './types.js';

/** What the answer's response object says about the request and who made it. */
export interface ResponseContext {
  /** The response id (`resp_…`), also the key it is stored under. */
  id: string;
  /** The model name the client asked for. */
  model: string;
  /** Seconds since the epoch. */
  createdAt: number;
  request: ResponsesRequest;
  /** Function name → namespace of the flattened tool groups. */
  namespaces?: ReadonlyMap<string, string>;
  /** Makes output item ids (default: random); fixtures pass a counter. */
  itemId?: (prefix: OutputItemPrefix) => string;
}

export type OutputItemPrefix = 'msg' | 'fc' | 'rs';

function hex(): string {
  return randomUUID().replaceAll('-', '');
}

export const newResponseId = (): string => `resp_${hex()}`;
export const newOutputItemId = (prefix: OutputItemPrefix): string => `${prefix}_${hex()}`;

/** An id for a new output item of the response. */
export function itemIdFor(context: ResponseContext, prefix: OutputItemPrefix): string {
  return (context.itemId ?? newOutputItemId)(prefix);
}

/**
 * The response object without its outcome: the request's settings echoed as OpenAI echoes
 * them, status `in_progress`, no output yet. The first events of a stream carry it.
 */
export function responseShell(context: ResponseContext): ResponsesResponse {
  const { request } = context;
  return {
    id: context.id,
    object: 'response',
    created_at: context.createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: request.metadata ?? {},
    model: context.model,
    output: [],
    output_text: '',
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: {
      effort: request.reasoning?.effort ?? null,
      summary: request.reasoning?.summary ?? null,
    },
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: request.user ?? null,
  };
}

/** Chat usage as Responses usage (cached and reasoning tokens where the backend counts them). */
export function responsesUsage(usage: OpenAIUsage | undefined | null): ResponsesUsage | null {
  if (usage === undefined || usage === null) return null;
  const details = (usage as { completion_tokens_details?: { reasoning_tokens?: number } })
    .completion_tokens_details;
  const input = usage.prompt_tokens ?? 0;
  const output = usage.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens ?? input + output,
  };
}

/** The text of every output message, concatenated: the SDKs' `output_text`. */
export function outputText(output: readonly ResponsesOutputItem[]): string {
  let text = '';
  for (const item of output) {
    if (item.type === 'message') for (const part of item.content) text += part.text;
  }
  return text;
}

/** The status a chat finish reason gives the response. */
export function outcome(
  finishReason: string | null | undefined,
): Pick<ResponsesResponse, 'status' | 'incomplete_details'> {
  if (finishReason === 'length') {
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  }
  if (finishReason === 'content_filter') {
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  }
  return { status: 'completed', incomplete_details: null };
}
