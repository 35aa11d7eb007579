// POST /v1/completions (legacy text completions, in OpenAI's shapes): the prompt's words echoed,
// as one JSON body or as an SSE stream with a separate usage chunk when include_usage is set.
import type { ServerResponse } from 'node:http';
import type { GenerationContext } from './chat-route.js';
import { streamErrorMessage } from './chat-route.js';
import {
  completionChunk,
  completionUsageChunk,
  errorBody,
  responseContext,
  sseData,
  SSE_DONE,
  textCompletion,
  usage,
} from './chunks.js';
import { countPromptTokens, planCompletion } from './generate.js';
import type { Generation } from './generation.js';
import { playJson, playStream } from './pacing.js';
import type { CompletionRequest } from './requests.js';

export async function handleCompletion(
  request: CompletionRequest,
  gen: Generation,
  res: ServerResponse,
  context: GenerationContext,
): Promise<void> {
  const plan = planCompletion(request, context.behaviour, context.defaultMaxTokens);
  const ctx = responseContext('completion', request.model ?? context.modelId);
  const completionUsage = usage(countPromptTokens([request.prompt]), plan.tokens.length);
  const error = () => errorBody(streamErrorMessage(gen.tokens), 'server_error', 500);
  if (!request.stream) {
    return playJson(gen, res, context.behaviour, {
      tokens: plan.tokens.length,
      status: 200,
      body: () => textCompletion(ctx, plan.tokens.join(''), plan.finishReason, completionUsage),
      error,
    });
  }
  return playStream(gen, res, context.behaviour, {
    opening: [],
    frames: plan.tokens.map((token) => ({
      data: sseData(completionChunk(ctx, token)),
      countsAsToken: true,
    })),
    closing: (failed) => [
      ...(failed ? [] : [sseData(completionChunk(ctx, '', plan.finishReason))]),
      ...(!failed && request.includeUsage
        ? [sseData(completionUsageChunk(ctx, completionUsage))]
        : []),
      SSE_DONE,
    ],
    error: () => [sseData(error())],
  });
}
