import { asString, isObject } from './guards.js';
import { newCompletionId } from './ids.js';
import { toOpenAIFinishReason } from './stop-reasons.js';
import { upstreamError } from './translation-error.js';
import type {
  CarriedThinkingBlock,
  OpenAIChatCompletion,
  OpenAIResponseMessage,
  OpenAIToolCall,
} from './types.js';
import { anthropicUsageToOpenAI, readAnthropicUsage } from './usage.js';

export interface AnthropicToOpenAIResponseOptions {
  /** The model name the client asked for. */
  model: string;
  /** Defaults to the upstream message id. */
  id?: string;
  /** Unix seconds; defaults to now. */
  created?: number;
}

/**
 * Anthropic message → OpenAI chat.completion. Text blocks are concatenated, tool_use
 * blocks become tool_calls, thinking becomes `reasoning_content`, and thinking blocks
 * with their signatures are kept in `thinking_blocks` so the client can send them back.
 * Throws UPSTREAM_ERROR for a malformed message or a block with no OpenAI equivalent.
 */
export function anthropicToOpenAIResponse(
  response: unknown,
  options: AnthropicToOpenAIResponseOptions,
): OpenAIChatCompletion {
  if (!isObject(response) || !Array.isArray(response.content)) {
    throw upstreamError('the backend answered with a message that has no content array');
  }
  const texts: string[] = [];
  const reasoning: string[] = [];
  const thinkingBlocks: CarriedThinkingBlock[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const block of response.content) {
    if (!isObject(block))
      throw upstreamError('the backend answered with a content block that is not an object');
    switch (block.type) {
      case 'text':
        texts.push(asString(block.text) ?? '');
        break;
      case 'thinking': {
        const thinking = asString(block.thinking) ?? '';
        reasoning.push(thinking);
        thinkingBlocks.push({
          type: 'thinking',
          thinking,
          signature: asString(block.signature) ?? '',
        });
        break;
      }
      case 'redacted_thinking':
        thinkingBlocks.push({ type: 'redacted_thinking', data: asString(block.data) ?? '' });
        break;
      case 'tool_use': {
        const id = asString(block.id);
        const name = asString(block.name);
        if (!id || !name)
          throw upstreamError('the backend answered with a tool_use block without an id or name');
        toolCalls.push({
          id,
          type: 'function',
          function: { name, arguments: JSON.stringify(isObject(block.input) ? block.input : {}) },
        });
        break;
      }
      default:
        throw upstreamError(
          `the backend answered with a content block of type '${String(block.type)}', which has no OpenAI equivalent`,
        );
    }
  }
  const message: OpenAIResponseMessage = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : toolCalls.length > 0 ? null : '',
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;

  const completion: OpenAIChatCompletion = {
    id: options.id ?? asString(response.id) ?? newCompletionId(),
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [
      {
        index: 0,
        message,
        finish_reason: toOpenAIFinishReason(asString(response.stop_reason)),
        logprobs: null,
      },
    ],
  };
  if (isObject(response.usage)) {
    completion.usage = anthropicUsageToOpenAI(
      readAnthropicUsage(response.usage, { input_tokens: 0, output_tokens: 0 }),
    );
  }
  return completion;
}
