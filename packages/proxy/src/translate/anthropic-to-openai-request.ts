import { reasoningEffortFor, responseFormatFor } from './anthropic-output-controls.js';
import { isServerTool } from './anthropic-to-openai-capabilities.js';
import { checkOpenAITranslatable } from './capability-check.js';
import { toDataUrl } from './data-url.js';
import { isObject } from './guards.js';
import { invalidRequest, unsupported } from './translation-error.js';
import type {
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicRequestBlock,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  OpenAIChatRequest,
  OpenAIImagePart,
  OpenAIMessage,
  OpenAITextPart,
  OpenAIToolCall,
  OpenAIToolChoice,
} from './types.js';

export interface AnthropicToOpenAIRequestOptions {
  /** The model name the backend knows. */
  upstreamModel: string;
  /**
   * Field that carries the token limit. `max_tokens` (default) is what local servers
   * read; OpenAI's reasoning models accept only `max_completion_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** Separator between text blocks that become one string (system, user, tool result). */
const BLOCK_SEPARATOR = '\n\n';
/** Marks a failed tool result, since OpenAI tool messages have no error flag. */
export const TOOL_ERROR_PREFIX = 'Error: ';

function imagePart(block: AnthropicImageBlock, param: string): OpenAIImagePart {
  const source = block.source as unknown;
  if (isObject(source) && source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string') {
      throw invalidRequest(`${param}: a base64 image needs media_type and data`, param);
    }
    return { type: 'image_url', image_url: { url: toDataUrl(source.media_type, source.data) } };
  }
  if (isObject(source) && source.type === 'url' && typeof source.url === 'string') {
    return { type: 'image_url', image_url: { url: source.url } };
  }
  throw invalidRequest(`${param}: an image source must be base64 or url`, param);
}

/** A system prompt (the `system` field or a system-role message) as one system message. */
function systemMessages(
  system: string | readonly AnthropicRequestBlock[] | undefined,
  param: string,
): OpenAIMessage[] {
  if (system === undefined) return [];
  const text =
    typeof system === 'string'
      ? system
      : system
          .map((block, i) => {
            if (!isObject(block) || block.type !== 'text') {
              throw invalidRequest(`${param}[${i}] must be a text block`, `${param}[${i}]`);
            }
            return block.text;
          })
          .join(BLOCK_SEPARATOR);
  return text === '' ? [] : [{ role: 'system', content: text }];
}

interface ToolResultParts {
  message: OpenAIMessage;
  images: OpenAIImagePart[];
}

function toolResult(block: AnthropicToolResultBlock, param: string): ToolResultParts {
  const texts: string[] = [];
  const images: OpenAIImagePart[] = [];
  if (typeof block.content === 'string') {
    texts.push(block.content);
  } else if (Array.isArray(block.content)) {
    for (const [k, inner] of block.content.entries()) {
      const innerParam = `${param}.content[${k}]`;
      if (!isObject(inner))
        throw invalidRequest(`${innerParam} must be a content block object`, innerParam);
      if (inner.type === 'text') texts.push(inner.text);
      else if (inner.type === 'image') images.push(imagePart(inner, innerParam));
      else {
        throw unsupported(
          `${innerParam}: a tool_result block of type '${(inner as { type: string }).type}' has no OpenAI equivalent`,
          innerParam,
        );
      }
    }
  }
  const text = texts.join(BLOCK_SEPARATOR);
  return {
    message: {
      role: 'tool',
      tool_call_id: block.tool_use_id,
      content: block.is_error === true ? `${TOOL_ERROR_PREFIX}${text}` : text,
    },
    images,
  };
}

/** A user turn: its tool results as `tool` messages first, then the rest as one user message. */
function userMessages(blocks: AnthropicRequestBlock[], i: number): OpenAIMessage[] {
  const toolMessages: OpenAIMessage[] = [];
  const toolImages: OpenAIImagePart[] = [];
  const parts: (OpenAITextPart | OpenAIImagePart)[] = [];
  for (const [j, block] of blocks.entries()) {
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(block)) throw invalidRequest(`${param} must be a content block object`, param);
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push(imagePart(block, param));
        break;
      case 'tool_result': {
        const result = toolResult(block, param);
        toolMessages.push(result.message);
        toolImages.push(...result.images);
        break;
      }
      case 'tool_use':
      case 'thinking':
      case 'redacted_thinking':
        throw invalidRequest(
          `${param}: a ${block.type} block belongs in an assistant message`,
          param,
        );
      default:
        throw unsupported(
          `${param}: content blocks of type '${(block as { type: string }).type}' have no OpenAI equivalent`,
          param,
        );
    }
  }
  const all = [...toolImages, ...parts];
  if (all.length === 0) return toolMessages;
  const content = all.every((part) => part.type === 'text')
    ? all.map((part) => (part as OpenAITextPart).text).join(BLOCK_SEPARATOR)
    : all;
  return [...toolMessages, { role: 'user', content }];
}

function assistantMessage(blocks: AnthropicRequestBlock[], i: number): OpenAIMessage {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  for (const [j, block] of blocks.entries()) {
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(block)) throw invalidRequest(`${param} must be a content block object`, param);
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'thinking':
        reasoning.push(block.thinking);
        break;
      case 'redacted_thinking':
        break;
      case 'tool_use':
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      case 'image':
      case 'tool_result':
        throw invalidRequest(`${param}: a ${block.type} block belongs in a user message`, param);
      default:
        throw unsupported(
          `${param}: content blocks of type '${(block as { type: string }).type}' have no OpenAI equivalent`,
          param,
        );
    }
  }
  return {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : toolCalls.length > 0 ? null : '',
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
  };
}

function conversation(messages: AnthropicMessageParam[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message))
      throw invalidRequest(`messages[${i}] must be an object`, `messages[${i}]`);
    const blocks: AnthropicRequestBlock[] =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : Array.isArray(message.content)
          ? message.content
          : [];
    if (message.role === 'user') out.push(...userMessages(blocks, i));
    else if (message.role === 'assistant') out.push(assistantMessage(blocks, i));
    else if (message.role === 'system') {
      // Kept in place: it speaks about the conversation at this point.
      out.push(...systemMessages(blocks, `messages[${i}].content`));
    } else {
      throw invalidRequest(
        `messages[${i}].role must be user, assistant or system, not '${String(message.role)}'`,
        `messages[${i}].role`,
      );
    }
  }
  return out;
}

function toolChoice(choice: AnthropicToolChoice): OpenAIToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      throw invalidRequest(
        `tool_choice type '${(choice as { type: string }).type}' is not auto, any, tool or none`,
        'tool_choice',
      );
  }
}

/**
 * Anthropic Messages request → OpenAI Chat Completions request, for OpenAI-compatible
 * backends (mlx-openai-server, vLLM, OpenAI). Throws UNSUPPORTED_FEATURE for features the
 * capability matrix rejects and INVALID_REQUEST for malformed input. Fields it does not read
 * are left out (`droppedAnthropicFields` names them); `max_tokens` is passed as it is, however
 * large: a local server stops at the end of its context anyway, and clamping would need a
 * context size the gateway does not know.
 */
export function anthropicToOpenAIRequest(
  request: AnthropicMessagesRequest,
  options: AnthropicToOpenAIRequestOptions,
): OpenAIChatRequest {
  if (!Array.isArray(request.messages)) {
    throw invalidRequest('messages must be an array', 'messages');
  }
  checkOpenAITranslatable(request);

  const out: OpenAIChatRequest = {
    model: options.upstreamModel,
    messages: [...systemMessages(request.system, 'system'), ...conversation(request.messages)],
  };
  out[options.maxTokensField ?? 'max_tokens'] = request.max_tokens;
  // Server tools are left out (the capability check refused the request if one is forced).
  const tools = (request.tools ?? []).filter((tool) => !isServerTool(tool));
  if (tools.length > 0) {
    out.tools = tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.input_schema,
        ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
      },
    }));
  }
  const effort = reasoningEffortFor(request);
  if (effort !== undefined) out.reasoning_effort = effort;
  const format = responseFormatFor(request);
  if (format !== undefined) out.response_format = format;
  const onlyServerTools = tools.length === 0 && (request.tools ?? []).length > 0;
  if (request.tool_choice && !onlyServerTools) {
    out.tool_choice = toolChoice(request.tool_choice);
    if (
      'disable_parallel_tool_use' in request.tool_choice &&
      request.tool_choice.disable_parallel_tool_use
    ) {
      out.parallel_tool_calls = false;
    }
  }
  if (request.stop_sequences && request.stop_sequences.length > 0)
    out.stop = request.stop_sequences;
  if (request.temperature !== undefined) out.temperature = request.temperature;
  if (request.top_p !== undefined) out.top_p = request.top_p;
  if (request.top_k !== undefined) out.top_k = request.top_k;
  if (typeof request.metadata?.user_id === 'string') out.user = request.metadata.user_id;
  if (request.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}
