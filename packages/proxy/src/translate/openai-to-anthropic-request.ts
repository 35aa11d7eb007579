import { checkAnthropicTranslatable } from './capability-check.js';
import { asNumber, isObject, isUnset } from './guards.js';
import { openAIMessagesToAnthropic } from './openai-to-anthropic-messages.js';
import { planThinking } from './thinking-budget.js';
import { invalidRequest } from './translation-error.js';
import type { AnthropicMessagesRequest, AnthropicToolChoice, OpenAIChatRequest } from './types.js';

export interface OpenAIToAnthropicRequestOptions {
  /** The model name Anthropic knows. */
  upstreamModel: string;
  /** `max_tokens` when the client sets no limit (Anthropic requires one). */
  defaultMaxTokens: number;
}

/** The highest temperature Anthropic accepts; OpenAI's range goes to 2. */
export const ANTHROPIC_MAX_TEMPERATURE = 1;

function toolChoiceOf(request: OpenAIChatRequest): AnthropicToolChoice | undefined {
  const choice = request.tool_choice;
  const hasTools = (request.tools?.length ?? 0) > 0;
  const serial = request.parallel_tool_calls === false;
  if (isUnset(choice) || choice === 'auto') {
    if (!hasTools) return undefined;
    if (serial) return { type: 'auto', disable_parallel_tool_use: true };
    return choice === 'auto' ? { type: 'auto' } : undefined;
  }
  if (choice === 'none') return hasTools ? { type: 'none' } : undefined;
  if (!hasTools) {
    throw invalidRequest('tool_choice requires a tool but the request has no tools', 'tool_choice');
  }
  const parallel = serial ? { disable_parallel_tool_use: true } : {};
  if (choice === 'required') return { type: 'any', ...parallel };
  if (
    isObject(choice) &&
    choice.type === 'function' &&
    isObject(choice.function) &&
    typeof choice.function.name === 'string'
  ) {
    return { type: 'tool', name: choice.function.name, ...parallel };
  }
  throw invalidRequest(
    'tool_choice must be auto, none, required or a named function',
    'tool_choice',
  );
}

/**
 * OpenAI Chat Completions request → Anthropic Messages request. Throws
 * UNSUPPORTED_FEATURE for features the capability matrix rejects and INVALID_REQUEST for
 * malformed input; see docs/translation.md for every mapping.
 */
export function openAIToAnthropicRequest(
  request: OpenAIChatRequest,
  options: OpenAIToAnthropicRequestOptions,
): AnthropicMessagesRequest {
  if (!Array.isArray(request.messages)) {
    throw invalidRequest('messages must be an array', 'messages');
  }
  checkAnthropicTranslatable(request);

  const { system, messages } = openAIMessagesToAnthropic(request.messages);
  if (messages.length === 0) {
    throw invalidRequest('messages must hold at least one user or assistant message', 'messages');
  }
  const clientMaxTokens = asNumber(request.max_completion_tokens) ?? asNumber(request.max_tokens);
  const plan = planThinking(request.reasoning_effort, clientMaxTokens, options.defaultMaxTokens);

  const out: AnthropicMessagesRequest = {
    model: options.upstreamModel,
    messages,
    max_tokens: plan.maxTokens,
  };
  if (system.length > 0) out.system = system;
  if (plan.thinking) out.thinking = plan.thinking;
  if (request.tools && request.tools.length > 0) {
    out.tools = request.tools.map((tool, i) => {
      if (!isObject(tool.function) || typeof tool.function.name !== 'string') {
        throw invalidRequest(`tools[${i}].function.name is required`, `tools[${i}].function.name`);
      }
      return {
        name: tool.function.name,
        ...(tool.function.description !== undefined
          ? { description: tool.function.description }
          : {}),
        input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
        ...(tool.cache_control ? { cache_control: tool.cache_control } : {}),
      };
    });
  }
  const toolChoice = toolChoiceOf(request);
  if (toolChoice) out.tool_choice = toolChoice;
  if (typeof request.stop === 'string') out.stop_sequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length > 0)
    out.stop_sequences = request.stop;
  const temperature = asNumber(request.temperature);
  if (temperature !== undefined) out.temperature = Math.min(temperature, ANTHROPIC_MAX_TEMPERATURE);
  const topP = asNumber(request.top_p);
  if (topP !== undefined) out.top_p = topP;
  const topK = asNumber(request.top_k);
  if (topK !== undefined) out.top_k = topK;
  const userId = request.user ?? request.safety_identifier;
  if (typeof userId === 'string' && userId !== '') out.metadata = { user_id: userId };
  if (request.stream === true) out.stream = true;
  return out;
}
