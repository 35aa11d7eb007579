// Response bodies and SSE chunks in the shapes mlx-openai-server sends (v1.8): pydantic dumps with
// explicit nulls, `role: "assistant"` on every content delta, usage riding on the final chunk, and
// errors as `{error: {message, type, param, code: "<status>"}}`.
import { randomInt } from 'node:crypto';
import type { ChatPlan, FinishReason, PlannedToolCall } from './generate.js';

export interface ResponseContext {
  id: string;
  created: number;
  model: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChatDelta {
  role: 'assistant' | null;
  content: string | null;
  reasoning_content: string | null;
  tool_calls: ToolCallDelta[] | null;
}

const randomSuffix = (): string => String(randomInt(1_000_000)).padStart(6, '0');

/** Context of one response: its id (`chatcmpl_...` or `cmpl-...`), time and model name. */
export function responseContext(kind: 'chat' | 'completion', model: string): ResponseContext {
  const created = Math.floor(Date.now() / 1000);
  const id =
    kind === 'chat' ? `chatcmpl_${created}${randomSuffix()}` : `cmpl-${created}${randomSuffix()}`;
  return { id, created, model };
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

export function errorBody(
  message: string,
  type: string,
  status: number,
  param: string | null = null,
): { error: { message: string; type: string; param: string | null; code: string } } {
  return { error: { message, type, param, code: String(status) } };
}

export function chatChunk(
  ctx: ResponseContext,
  delta: Partial<ChatDelta>,
  finishReason: FinishReason | null = null,
  chunkUsage: Usage | null = null,
): object {
  return {
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        delta: { role: null, content: null, reasoning_content: null, tool_calls: null, ...delta },
        finish_reason: finishReason,
      },
    ],
    usage: chunkUsage,
  };
}

function messageToolCalls(calls: readonly PlannedToolCall[]): object[] {
  return calls.map((call, index) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
    index,
  }));
}

export function chatCompletion(ctx: ResponseContext, plan: ChatPlan, chatUsage: Usage): object {
  const reasoning = plan.reasoning.length > 0 ? plan.reasoning.join('') : null;
  const message =
    plan.kind === 'tools'
      ? { content: null, tool_calls: messageToolCalls(plan.calls) }
      : { content: plan.tokens.join(''), tool_calls: null };
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: message.content,
          reasoning_content: reasoning,
          refusal: null,
          tool_calls: message.tool_calls,
          tool_call_id: null,
        },
        finish_reason: plan.kind === 'tools' ? 'tool_calls' : plan.finishReason,
      },
    ],
    usage: chatUsage,
  };
}

export function textCompletion(
  ctx: ResponseContext,
  text: string,
  finishReason: FinishReason,
  completionUsage: Usage,
): object {
  return {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage: completionUsage,
  };
}

export function completionChunk(
  ctx: ResponseContext,
  text: string,
  finishReason: FinishReason | null = null,
): object {
  return {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
  };
}

/** OpenAI's separate usage chunk (empty choices), sent when stream_options.include_usage is set. */
export function completionUsageChunk(ctx: ResponseContext, completionUsage: Usage): object {
  return {
    id: ctx.id,
    object: 'text_completion',
    created: ctx.created,
    model: ctx.model,
    choices: [],
    usage: completionUsage,
  };
}

export function embeddingResponse(
  model: string,
  embeddings: readonly (number[] | string)[],
): object {
  return {
    object: 'list',
    data: embeddings.map((embedding, index) => ({ object: 'embedding', embedding, index })),
    model,
    usage: null,
  };
}

export function sseData(payload: object | string): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
