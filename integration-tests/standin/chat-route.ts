// POST /v1/chat/completions: the planned answer (text, reasoning, tool calls) as one JSON body or
// as an SSE stream: a role-only first chunk, one delta per token, a final chunk with
// finish_reason and usage, then [DONE].
import type { ServerResponse } from 'node:http';
import type { RequestBehaviour } from './behaviour.js';
import {
  chatChunk,
  chatCompletion,
  errorBody,
  responseContext,
  sseData,
  SSE_DONE,
  usage,
  type ResponseContext,
} from './chunks.js';
import { countPromptTokens, planChat, splitArguments, type ChatPlan } from './generate.js';
import type { Generation } from './generation.js';
import { playJson, playStream, type Frame } from './pacing.js';
import type { ChatRequest } from './requests.js';

export interface GenerationContext {
  modelId: string;
  behaviour: RequestBehaviour;
  defaultMaxTokens: number | undefined;
}

const STREAM_ERROR_TYPE = 'server_error';

export function streamErrorMessage(tokens: number): string {
  return `Stand-in generation failed after ${tokens} tokens`;
}

function frames(ctx: ResponseContext, plan: ChatPlan): Frame[] {
  const out: Frame[] = plan.reasoning.map((token) => ({
    data: sseData(chatChunk(ctx, { role: 'assistant', reasoning_content: token })),
    countsAsToken: false,
  }));
  if (plan.kind === 'text') {
    for (const token of plan.tokens) {
      out.push({
        data: sseData(chatChunk(ctx, { role: 'assistant', content: token })),
        countsAsToken: true,
      });
    }
    return out;
  }
  plan.calls.forEach((call, index) => {
    const start = { index, id: call.id, type: 'function' as const };
    out.push({
      data: sseData(
        chatChunk(ctx, {
          role: 'assistant',
          tool_calls: [{ ...start, function: { name: call.name, arguments: '' } }],
        }),
      ),
      countsAsToken: false,
    });
    for (const piece of splitArguments(call.arguments)) {
      out.push({
        data: sseData(
          chatChunk(ctx, {
            role: 'assistant',
            tool_calls: [{ index, function: { arguments: piece } }],
          }),
        ),
        countsAsToken: true,
      });
    }
  });
  return out;
}

/** Output tokens of a plan: reasoning tokens plus content tokens or tool-argument deltas. */
function outputTokens(plan: ChatPlan): number {
  const answer =
    plan.kind === 'text'
      ? plan.tokens.length
      : plan.calls.reduce((sum, call) => sum + splitArguments(call.arguments).length, 0);
  return plan.reasoning.length + answer;
}

export async function handleChat(
  request: ChatRequest,
  gen: Generation,
  res: ServerResponse,
  context: GenerationContext,
): Promise<void> {
  const plan = planChat(request, context.behaviour, context.defaultMaxTokens);
  const ctx = responseContext('chat', request.model ?? context.modelId);
  const chatUsage = usage(
    countPromptTokens(request.messages.map((message) => message.text)),
    outputTokens(plan),
  );
  const finishReason = plan.kind === 'tools' ? 'tool_calls' : plan.finishReason;
  if (!request.stream) {
    const answerTokens = outputTokens(plan) - plan.reasoning.length;
    return playJson(gen, res, context.behaviour, {
      tokens: answerTokens,
      status: 200,
      body: () => chatCompletion(ctx, plan, chatUsage),
      error: () => errorBody(streamErrorMessage(gen.tokens), STREAM_ERROR_TYPE, 500),
    });
  }
  return playStream(gen, res, context.behaviour, {
    opening: [sseData(chatChunk(ctx, { role: 'assistant' }))],
    frames: frames(ctx, plan),
    closing: (failed) => [
      sseData(chatChunk(ctx, {}, failed ? 'stop' : finishReason, failed ? null : chatUsage)),
      SSE_DONE,
    ],
    error: () => [sseData(errorBody(streamErrorMessage(gen.tokens), STREAM_ERROR_TYPE, 500))],
  });
}
