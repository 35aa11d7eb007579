/**
 * Anthropic's output controls (`thinking`, `output_config.effort`, `output_config.format`) as
 * the OpenAI Chat Completions fields that carry the same intent: `reasoning_effort` and
 * `response_format`.
 */

import { REASONING_EFFORT_BUDGETS } from './thinking-budget.js';
import { isObject } from './guards.js';
import { invalidRequest } from './translation-error.js';
import type { AnthropicMessagesRequest, JsonObject, OpenAIReasoningEffort } from './types.js';

/**
 * `output_config.effort` → `reasoning_effort`. Only low, medium and high are sent: they are
 * the levels every OpenAI-compatible server that reads the field accepts (vLLM validates it
 * against those three; OpenAI's reasoning models take them all), so the levels above high
 * become high.
 */
export const EFFORT_TO_REASONING_EFFORT: Readonly<Record<string, OpenAIReasoningEffort>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
  max: 'high',
};

/** A thinking budget as the effort level whose budget covers it (the table of direction B). */
function effortForBudget(budget: number): OpenAIReasoningEffort {
  if (budget <= REASONING_EFFORT_BUDGETS.low) return 'low';
  if (budget <= REASONING_EFFORT_BUDGETS.medium) return 'medium';
  return 'high';
}

/**
 * The `reasoning_effort` for a request, or undefined to leave the backend's default:
 * - `thinking: {type: "disabled"}`: none is sent (there is no value every backend accepts for
 *   "no reasoning"; a model that always reasons keeps doing so);
 * - `output_config.effort` when it is a known level;
 * - else `thinking: {type: "enabled", budget_tokens}`: the level whose budget covers it;
 * - else (adaptive thinking, no effort): the backend's default.
 */
export function reasoningEffortFor(
  request: AnthropicMessagesRequest,
): OpenAIReasoningEffort | undefined {
  const thinking = request.thinking as unknown;
  const type = isObject(thinking) ? thinking.type : undefined;
  if (type === 'disabled') return undefined;
  const effort = isObject(request.output_config) ? request.output_config.effort : undefined;
  if (typeof effort === 'string' && Object.hasOwn(EFFORT_TO_REASONING_EFFORT, effort)) {
    return EFFORT_TO_REASONING_EFFORT[effort];
  }
  if (type === 'enabled' && isObject(thinking) && typeof thinking.budget_tokens === 'number') {
    return effortForBudget(thinking.budget_tokens);
  }
  return undefined;
}

/** The requested answer format: `output_config.format`, else the beta's `output_format`. */
export function outputFormatOf(request: AnthropicMessagesRequest): JsonObject | undefined {
  const format = isObject(request.output_config) ? request.output_config.format : undefined;
  if (isObject(format)) return format;
  return isObject(request.output_format) ? request.output_format : undefined;
}

/**
 * `output_config.format: {type: "json_schema", schema}` → `response_format` with a strict JSON
 * schema (what OpenAI, vLLM and mlx-openai-server enforce). Another format type is
 * INVALID_REQUEST: it would change the answer and has no equivalent.
 */
export function responseFormatFor(
  request: AnthropicMessagesRequest,
): { type: string; json_schema: JsonObject } | undefined {
  const format = outputFormatOf(request);
  if (format === undefined) return undefined;
  const param = isObject(request.output_config?.format) ? 'output_config.format' : 'output_format';
  if (format.type !== 'json_schema' || !isObject(format.schema)) {
    throw invalidRequest(`${param} must be {type: "json_schema", schema: {...}}`, param);
  }
  return {
    type: 'json_schema',
    json_schema: { name: 'output', schema: format.schema, strict: true },
  };
}
