import { isObject } from '../guards.js';
import { invalidRequest, unsupported } from '../translation-error.js';
import type { OpenAIChatRequest, OpenAIMessage, OpenAIReasoningEffort } from '../types.js';
import { mapInput } from './responses-input.js';
import { mapToolChoice, mapTools } from './responses-tools.js';
import type { ResponsesRequest } from './types.js';

export interface ResponsesToChatOptions {
  upstreamModel: string;
  /** `max_completion_tokens` for OpenAI's own API, `max_tokens` for the rest. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

export interface ResponsesToChatResult {
  body: OpenAIChatRequest;
  /** Function name → namespace, for the calls of flattened `namespace` tool groups. */
  namespaces: Map<string, string>;
  /** Hints and optimisations a chat completions backend has no place for, by name. */
  dropped: string[];
}

/**
 * Fields that only steer OpenAI's own service (caching, storage, telemetry, output verbosity):
 * a chat backend has nothing to do with them, so they are dropped and named, never refused.
 * `store` and `previous_response_id` are the gateway's business (its response store).
 */
const HINTS = [
  'include',
  'metadata',
  'prompt_cache_key',
  'prompt_cache_retention',
  'client_metadata',
  'service_tier',
  'truncation',
  'max_tool_calls',
] as const;
const GATEWAY_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'store',
  'stream',
  'stream_options',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'text',
  'reasoning',
  'user',
  'safety_identifier',
  'previous_response_id',
  ...HINTS,
]);

/** Fields that change what the answer means and that a chat backend cannot honour: a 400. */
const REFUSED: Record<string, string> = {
  background: "background responses run on OpenAI's servers only",
  conversation: "conversations are stored by OpenAI's servers only",
  prompt: "prompt templates are stored by OpenAI's servers only",
  top_logprobs: 'log probabilities are not carried by the translation',
};

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

/** Set to something that asks for it (`false`, `0`, `null` and `""` ask for nothing). */
function asksFor(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function refuse(request: ResponsesRequest): void {
  for (const [field, why] of Object.entries(REFUSED)) {
    if (asksFor(request[field])) {
      throw unsupported(`'${field}' cannot be served by a chat completions backend: ${why}`, field);
    }
  }
  // `include` is a list of extras; log probabilities are the one that changes the answer.
  const include = Array.isArray(request.include) ? request.include : [];
  const logprobs = include.find((entry) => typeof entry === 'string' && entry.includes('logprobs'));
  if (logprobs !== undefined) {
    throw unsupported(
      `'include' asks for '${logprobs}': ${REFUSED['top_logprobs'] ?? ''}`,
      'include',
    );
  }
}

/** Leading system and developer messages merged into one: many chat templates take only one. */
function mergeLeadingSystem(messages: OpenAIMessage[]): OpenAIMessage[] {
  let end = 0;
  while (end < messages.length && messages[end]?.role === 'system') end++;
  if (end < 2) return messages;
  const text = messages
    .slice(0, end)
    .map((m) => (typeof m.content === 'string' ? m.content : ''))
    .join('\n\n');
  return [{ role: 'system', content: text }, ...messages.slice(end)];
}

function responseFormat(request: ResponsesRequest): OpenAIChatRequest['response_format'] {
  const format = request.text?.format;
  if (!isObject(format) || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema: Record<string, unknown> = {
      name: format.name ?? 'response',
      schema: format.schema,
    };
    if (format.strict !== undefined && format.strict !== null) schema['strict'] = format.strict;
    if (format.description !== undefined) schema['description'] = format.description;
    return { type: 'json_schema', json_schema: schema } as OpenAIChatRequest['response_format'];
  }
  throw invalidRequest(
    `'text.format.type' ${JSON.stringify(format.type)} is not a format type`,
    'text.format.type',
  );
}

/**
 * A Responses API request as a chat completion request for an OpenAI-compatible backend (a
 * local model, any URL; the Anthropic backend through the chat translator). Pure: throws
 * UNSUPPORTED_FEATURE or INVALID_REQUEST naming the field when it cannot translate.
 */
export function responsesToChatRequest(
  request: ResponsesRequest,
  options: ResponsesToChatOptions,
): ResponsesToChatResult {
  refuse(request);
  const input = mapInput(request.input);
  const tools = mapTools(request.tools);
  const toolChoice = mapToolChoice(request.tool_choice, tools);
  const dropped = [...tools.dropped, ...input.dropped];

  const messages: OpenAIMessage[] = [];
  if (typeof request.instructions === 'string' && request.instructions !== '') {
    messages.push({ role: 'system', content: request.instructions });
  }
  messages.push(...input.messages);
  if (messages.length === 0)
    throw invalidRequest("'input' is empty: give at least one message", 'input');

  const body: OpenAIChatRequest = {
    model: options.upstreamModel,
    messages: mergeLeadingSystem(messages),
  };
  if (tools.tools.length > 0) {
    body.tools = tools.tools;
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
    if (typeof request.parallel_tool_calls === 'boolean') {
      body.parallel_tool_calls = request.parallel_tool_calls;
    }
  } else if (typeof toolChoice === 'object') {
    throw invalidRequest(
      `'tool_choice' names the function '${toolChoice.function.name}', which is not in 'tools'`,
      'tool_choice',
    );
  }
  if (typeof request.max_output_tokens === 'number')
    body[options.maxTokensField] = request.max_output_tokens;
  if (typeof request.temperature === 'number') body.temperature = request.temperature;
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (typeof request.user === 'string') body.user = request.user;
  if (typeof request.safety_identifier === 'string')
    body.safety_identifier = request.safety_identifier;
  const format = responseFormat(request);
  if (format !== undefined) body.response_format = format;
  const effort = request.reasoning?.effort;
  if (typeof effort === 'string' && EFFORTS.has(effort)) {
    body.reasoning_effort = effort as OpenAIReasoningEffort;
  }
  if (request.reasoning?.summary !== undefined && request.reasoning.summary !== null) {
    dropped.push('reasoning.summary');
  }
  if (request.text?.verbosity !== undefined) dropped.push('text.verbosity');
  if (request.stream === true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  for (const field of HINTS)
    if (request[field] !== undefined && request[field] !== null) dropped.push(field);
  for (const field of Object.keys(request)) {
    if (!GATEWAY_FIELDS.has(field) && !(field in REFUSED)) dropped.push(field);
  }
  return { body, namespaces: tools.namespaces, dropped };
}
