import type { CapabilityMatrix } from './capability-matrix.js';
import { isObject } from './guards.js';
import type { JsonObject } from './types.js';

/** An Anthropic-hosted tool: one whose `type` is set and is not `custom`. */
export function isServerTool(tool: unknown): boolean {
  return isObject(tool) && tool.type != null && tool.type !== 'custom';
}

/** Whether `tool_choice` demands this server tool: by name, or `any` with no client tool. */
function forcesServerTool(tool: unknown, request: JsonObject): boolean {
  const choice = request.tool_choice;
  if (!isObject(choice) || !isObject(tool)) return false;
  if (choice.type === 'tool') return choice.name === tool.name;
  const tools = Array.isArray(request.tools) ? request.tools : [];
  return choice.type === 'any' && tools.every(isServerTool);
}

/** Anthropic Messages requests sent to an OpenAI-compatible backend (MLX servers, vLLM, OpenAI). */
export const ANTHROPIC_TO_OPENAI_CAPABILITIES: CapabilityMatrix = {
  source: 'Anthropic Messages',
  target: 'OpenAI-compatible',
  entries: [
    // ── translated ──
    {
      feature: 'system prompt',
      location: { in: 'request', key: 'system' },
      disposition: 'translated',
      note: 'one leading `system` message; several text blocks are joined with a blank line',
    },
    {
      feature: 'system-role messages',
      location: { in: 'message', roles: ['system'] },
      disposition: 'translated',
      note: 'a `system` message at the same place in the conversation (current Claude Code sends its environment block this way); text blocks are joined with a blank line',
    },
    {
      feature: 'text blocks',
      location: { in: 'content', types: ['text'] },
      disposition: 'translated',
      note: 'user text becomes a string (blocks joined with a blank line) unless images are present, then text parts; assistant text blocks are concatenated',
    },
    {
      feature: 'image blocks',
      location: { in: 'content', types: ['image'] },
      disposition: 'translated',
      note: 'a `base64` source becomes a `data:` URL, a `url` source the URL, both as `image_url` parts',
    },
    {
      feature: 'tool_use blocks',
      location: { in: 'content', types: ['tool_use'] },
      disposition: 'translated',
      note: 'assistant `tool_calls` with the input JSON-stringified',
    },
    {
      feature: 'tool_result blocks',
      location: { in: 'content', types: ['tool_result'] },
      disposition: 'translated',
      note: '`tool` messages, in order, before the rest of the user message; text blocks joined with a blank line',
    },
    {
      feature: 'tool_result is_error',
      location: { in: 'content', types: ['tool_result'] },
      disposition: 'translated',
      note: 'OpenAI tool messages carry no error flag, so the content is prefixed with `Error: `',
      when: (block) => isObject(block) && block.is_error === true,
    },
    {
      feature: 'images inside tool_result',
      location: { in: 'content', types: ['tool_result'] },
      disposition: 'translated',
      note: 'OpenAI tool messages hold text only, so the images go into the user message that follows the tool messages',
      when: (block) =>
        isObject(block) &&
        Array.isArray(block.content) &&
        block.content.some((b) => isObject(b) && b.type === 'image'),
    },
    {
      feature: 'thinking blocks from earlier turns',
      location: { in: 'content', types: ['thinking'] },
      disposition: 'translated',
      note: '`reasoning_content` on the assistant message; the signature is not needed there and is left out',
    },
    {
      feature: 'tools',
      location: { in: 'request', key: 'tools' },
      disposition: 'translated',
      note: 'function tools; `input_schema` becomes `parameters`; `strict` is kept on the function',
    },
    {
      feature: 'tool_choice',
      location: { in: 'request', key: 'tool_choice' },
      disposition: 'translated',
      note: '`auto`→"auto", `any`→"required", `tool`→the named function, `none`→"none"; `disable_parallel_tool_use` → `parallel_tool_calls: false`',
    },
    {
      feature: 'stop_sequences',
      location: { in: 'request', key: 'stop_sequences' },
      disposition: 'translated',
      note: '`stop` (always an array; mlx-openai-server accepts only arrays)',
    },
    {
      feature: 'max_tokens',
      location: { in: 'request', key: 'max_tokens' },
      disposition: 'translated',
      note: '`max_tokens`, or `max_completion_tokens` when the backend option asks for it (OpenAI reasoning models)',
    },
    {
      feature: 'temperature, top_p and top_k',
      location: { in: 'request', key: 'temperature' },
      disposition: 'translated',
      note: 'passed on; `top_k` is not OpenAI API but local servers accept it',
    },
    {
      feature: 'metadata.user_id',
      location: { in: 'request', key: 'metadata' },
      disposition: 'translated',
      note: 'becomes the OpenAI `user` field',
    },
    {
      feature: 'stream',
      location: { in: 'request', key: 'stream' },
      disposition: 'translated',
      note: '`stream: true` with `stream_options.include_usage` so that the final usage arrives',
    },
    {
      feature: 'thinking',
      location: { in: 'request', key: 'thinking' },
      disposition: 'translated',
      note: '`enabled` with a budget → `reasoning_effort` (≤4096 low, ≤8192 medium, above high) when no effort is given; `adaptive` → the effort, else the backend default; `disabled` → no `reasoning_effort`',
    },
    {
      feature: 'output_config.effort',
      location: { in: 'request', key: 'output_config' },
      disposition: 'translated',
      note: '`reasoning_effort`: low, medium and high as they are, xhigh and max as high',
      when: (value) => isObject(value) && typeof value.effort === 'string',
    },
    {
      feature: 'output_config.format (structured output)',
      location: { in: 'request', key: 'output_config' },
      disposition: 'translated',
      note: '`response_format: {type: "json_schema", json_schema: {name: "output", schema, strict: true}}`; the beta field `output_format` likewise',
      when: (value) => isObject(value) && value.format != null,
    },
    // ── ignored: hints and optimisations, dropped and named in x-mlx-gateway-dropped-fields ──
    {
      feature: 'cache_control',
      field: 'cache_control',
      location: { in: 'content-field', key: 'cache_control' },
      disposition: 'ignored',
      note: 'OpenAI-compatible servers cache prompts on their own (or not at all); the output is the same',
    },
    {
      feature: 'cache_control on tools',
      field: 'cache_control',
      location: { in: 'tool' },
      disposition: 'ignored',
      note: 'as for content blocks: a caching hint only',
      when: (tool) => isObject(tool) && tool.cache_control != null,
    },
    {
      feature: 'thinking.display',
      field: 'thinking.display',
      location: { in: 'request', key: 'thinking' },
      disposition: 'ignored',
      note: 'how Anthropic shows thinking; any `reasoning_content` the backend returns comes back as thinking blocks',
      when: (value) => isObject(value) && value.display != null,
    },
    {
      feature: 'adaptive thinking without an effort',
      field: 'thinking.type',
      location: { in: 'request', key: 'thinking' },
      disposition: 'ignored',
      note: 'the model decides how much to reason, as an OpenAI-compatible backend does by default',
      when: (value, { request }) =>
        isObject(value) &&
        value.type === 'adaptive' &&
        !(isObject(request.output_config) && typeof request.output_config.effort === 'string'),
    },
    {
      feature: 'context_management',
      field: 'context_management',
      location: { in: 'request', key: 'context_management' },
      disposition: 'ignored',
      note: 'Anthropic-side context editing (clearing old thinking or tool results); the backend gets the whole conversation, which the client sent anyway',
    },
    {
      feature: 'tools with defer_loading',
      field: 'tools[].defer_loading',
      location: { in: 'tool' },
      disposition: 'ignored',
      note: 'sent as ordinary tools, with their schemas (tool search is Anthropic-side loading)',
      when: (tool) => isObject(tool) && tool.defer_loading != null,
    },
    {
      feature: 'per-message output_config',
      field: 'messages[].output_config',
      location: { in: 'message-field', key: 'output_config' },
      disposition: 'ignored',
      note: 'per-turn effort (a beta); the request-level effort applies',
    },
    {
      feature: 'server tools offered, not forced',
      field: 'server tools',
      location: { in: 'tool' },
      disposition: 'ignored',
      note: 'Anthropic-hosted tools only run on Anthropic; left out of the tool list, the model answers without them',
      when: (tool, { request }) => isServerTool(tool) && !forcesServerTool(tool, request),
    },
    {
      feature: 'redacted_thinking blocks',
      field: 'redacted_thinking',
      location: { in: 'content', types: ['redacted_thinking'] },
      disposition: 'ignored',
      note: 'encrypted for Anthropic models only; no other model can read them',
    },
    {
      feature: 'service_tier',
      field: 'service_tier',
      location: { in: 'request', key: 'service_tier' },
      disposition: 'ignored',
      note: 'latency and price only',
    },
    {
      feature: 'inference_geo',
      field: 'inference_geo',
      location: { in: 'request', key: 'inference_geo' },
      disposition: 'ignored',
      note: 'where Anthropic runs the model; a local or other backend runs where it is',
    },
    {
      feature: 'metadata other than user_id',
      field: 'metadata',
      location: { in: 'request', key: 'metadata' },
      disposition: 'ignored',
      note: 'only `user_id` has an OpenAI field',
      when: (value) => isObject(value) && Object.keys(value).some((key) => key !== 'user_id'),
    },
    // ── rejected ──
    {
      feature: 'document blocks',
      location: { in: 'content', types: ['document'] },
      disposition: 'rejected',
      note: 'OpenAI-compatible local servers take no PDF or document input; send the text instead',
    },
    {
      feature: 'image blocks with a file source',
      location: { in: 'content', types: ['image'] },
      disposition: 'rejected',
      note: 'Anthropic Files API ids mean nothing to other backends; send the image inline',
      when: (block) => isObject(block) && isObject(block.source) && block.source.type === 'file',
    },
    {
      feature: 'server tool and search result blocks',
      location: {
        in: 'content',
        types: [
          'search_result',
          'server_tool_use',
          'web_search_tool_result',
          'web_fetch_tool_result',
          'code_execution_tool_result',
          'bash_code_execution_tool_result',
          'text_editor_code_execution_tool_result',
          'mcp_tool_use',
          'mcp_tool_result',
          'container_upload',
        ],
      },
      disposition: 'rejected',
      note: 'they belong to tools that only Anthropic runs',
    },
    {
      feature: 'forced server tools',
      location: { in: 'tool' },
      disposition: 'rejected',
      note: 'Anthropic-hosted tools (web search, code execution, computer use, ...) only run on Anthropic, and `tool_choice` demands one (named, or `any` with no client tool left)',
      when: (tool, { request }) => isServerTool(tool) && forcesServerTool(tool, request),
    },
    {
      feature: 'mcp_servers',
      location: { in: 'request', key: 'mcp_servers' },
      disposition: 'rejected',
      note: 'the MCP connector runs on Anthropic only',
    },
    {
      feature: 'container',
      location: { in: 'request', key: 'container' },
      disposition: 'rejected',
      note: 'code execution containers exist on Anthropic only',
    },
  ],
};
