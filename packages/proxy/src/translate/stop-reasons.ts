import type { AnthropicStopReason, OpenAIFinishReason } from './types.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`, one row per documented value.
 * `pause_turn` (a server-tool turn paused before completion; send it back to continue)
 * becomes `length`: the output is incomplete and can be continued.
 * `model_context_window_exceeded` is also a cut-off output, hence `length`.
 */
export const ANTHROPIC_TO_OPENAI_FINISH: Readonly<Record<AnthropicStopReason, OpenAIFinishReason>> =
  {
    end_turn: 'stop',
    stop_sequence: 'stop',
    max_tokens: 'length',
    model_context_window_exceeded: 'length',
    tool_use: 'tool_calls',
    pause_turn: 'length',
    refusal: 'content_filter',
  };

/** Rule for a `stop_reason` missing from the table above (null or a future value). */
export const UNKNOWN_ANTHROPIC_STOP_REASON_FINISH: OpenAIFinishReason = 'stop';

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. OpenAI's `stop` covers both a natural
 * end and a matched stop sequence without saying which, so it becomes `end_turn`.
 */
export const OPENAI_TO_ANTHROPIC_STOP: Readonly<Record<OpenAIFinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * A finish reason some servers (OpenRouter, a few local servers) use for a generation that
 * failed. It is reported as an error, never mapped to a normal end.
 */
export const OPENAI_ERROR_FINISH_REASON = 'error';

/** Rule for a `finish_reason` missing from the table above (null, absent or unknown). */
export const UNKNOWN_OPENAI_FINISH_REASON_STOP: AnthropicStopReason = 'end_turn';

export function toOpenAIFinishReason(stopReason: string | null | undefined): OpenAIFinishReason {
  if (
    stopReason !== null &&
    stopReason !== undefined &&
    Object.hasOwn(ANTHROPIC_TO_OPENAI_FINISH, stopReason)
  ) {
    return ANTHROPIC_TO_OPENAI_FINISH[stopReason as AnthropicStopReason];
  }
  return UNKNOWN_ANTHROPIC_STOP_REASON_FINISH;
}

/**
 * Maps an OpenAI finish reason. When the message carries tool calls, a `stop`, missing or
 * unknown finish reason becomes `tool_use`: several local servers report `stop` after a
 * parsed tool call, and Anthropic clients run tools when `stop_reason` is `tool_use`.
 */
export function toAnthropicStopReason(
  finishReason: string | null | undefined,
  hasToolCalls: boolean,
): AnthropicStopReason {
  const known =
    finishReason !== null &&
    finishReason !== undefined &&
    Object.hasOwn(OPENAI_TO_ANTHROPIC_STOP, finishReason)
      ? OPENAI_TO_ANTHROPIC_STOP[finishReason as OpenAIFinishReason]
      : undefined;
  if (hasToolCalls && (known === undefined || known === 'end_turn')) return 'tool_use';
  return known ?? UNKNOWN_OPENAI_FINISH_REASON_STOP;
}
