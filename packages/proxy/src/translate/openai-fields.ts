/** Reading fields of OpenAI-format upstream messages and deltas. */

import { asString, isObject } from './guards.js';
import { upstreamError } from './translation-error.js';
import type { JsonObject } from './types.js';

/**
 * Reasoning text of a message or delta: mlx-openai-server and DeepSeek use
 * `reasoning_content`, vLLM and OpenRouter `reasoning`.
 */
export function reasoningOf(message: JsonObject): string | undefined {
  return asString(message.reasoning_content) ?? asString(message.reasoning);
}

/**
 * Parses the complete arguments of a tool call. Empty arguments mean no arguments;
 * anything that is not a JSON object is UPSTREAM_ERROR, because an Anthropic client
 * cannot be handed a tool input it cannot use.
 */
export function parseToolArguments(raw: string, name: string, id: string): JsonObject {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw upstreamError(
      `the backend produced a call to tool '${name}' (${id}) whose arguments are not valid JSON`,
    );
  }
  if (!isObject(parsed)) {
    throw upstreamError(
      `the backend produced a call to tool '${name}' (${id}) whose arguments are not a JSON object`,
    );
  }
  return parsed;
}
