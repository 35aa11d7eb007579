import { TokenTally } from './estimate-tokens.js';
import { fallbackToolUseId, newMessageId } from './ids.js';
import { parseToolArguments, reasoningOf } from './openai-fields.js';
import { asString, isObject } from './guards.js';
import { OPENAI_ERROR_FINISH_REASON, toAnthropicStopReason } from './stop-reasons.js';
import { upstreamError } from './translation-error.js';
import type { AnthropicMessage, AnthropicResponseBlock } from './types.js';
import { openAIUsageToAnthropic } from './usage.js';

export interface OpenAIToAnthropicResponseOptions {
  /** The model name the client asked for. */
  model: string;
  /** Defaults to `msg_<upstream id>`. */
  messageId?: string;
  /** Input tokens to report when the upstream sends no usage (see countTokensAnthropic). */
  inputTokensEstimate?: number;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObject(part) && part.type === 'text' ? (asString(part.text) ?? '') : ''))
    .join('');
}

/**
 * OpenAI chat.completion → Anthropic message. Reasoning becomes a thinking block (with an
 * empty signature: it never came from Anthropic), tool calls become tool_use blocks with
 * parsed input. Throws UPSTREAM_ERROR for a malformed completion.
 */
export function openAIToAnthropicResponse(
  response: unknown,
  options: OpenAIToAnthropicResponseOptions,
): AnthropicMessage {
  if (!isObject(response))
    throw upstreamError('the backend answered with a completion that is not a JSON object');
  if (isObject(response.error)) {
    throw upstreamError(
      `the backend answered with an error: ${asString(response.error.message) ?? 'no message'}`,
    );
  }
  const choice: unknown = Array.isArray(response.choices) ? response.choices[0] : undefined;
  if (!isObject(choice) || !isObject(choice.message)) {
    throw upstreamError('the backend answered with a completion that has no choices');
  }
  const message = choice.message;
  const messageId =
    options.messageId ?? (typeof response.id === 'string' ? `msg_${response.id}` : newMessageId());
  const content: AnthropicResponseBlock[] = [];
  const tally = new TokenTally();

  const reasoning = reasoningOf(message);
  if (reasoning) {
    content.push({ type: 'thinking', thinking: reasoning, signature: '' });
    tally.add(reasoning);
  }
  const text = textOf(message.content) || (asString(message.refusal) ?? '');
  if (text !== '') {
    content.push({ type: 'text', text });
    tally.add(text);
  }
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const [ordinal, call] of toolCalls.entries()) {
    const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
    const name = fn ? asString(fn.name) : undefined;
    if (!fn || !name)
      throw upstreamError('the backend produced a tool call without a function name');
    const id =
      (isObject(call) ? asString(call.id) : undefined) || fallbackToolUseId(messageId, ordinal);
    const args = asString(fn.arguments) ?? '';
    content.push({ type: 'tool_use', id, name, input: parseToolArguments(args, name, id) });
    tally.add(name);
    tally.add(args);
  }

  if (choice.finish_reason === OPENAI_ERROR_FINISH_REASON) {
    throw upstreamError('the backend ended the generation with finish_reason "error"');
  }
  const refused = typeof message.refusal === 'string' && message.refusal !== '';
  const stopReason = refused
    ? 'refusal'
    : toAnthropicStopReason(asString(choice.finish_reason), toolCalls.length > 0);
  const usage = openAIUsageToAnthropic(response.usage) ?? {
    input_tokens: Math.max(1, Math.round(options.inputTokensEstimate ?? 1)),
    output_tokens: tally.tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  return {
    id: messageId,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
}
