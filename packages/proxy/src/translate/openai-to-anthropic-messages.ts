import { isHttpUrl, parseBase64DataUrl } from './data-url.js';
import { isObject, isUnset } from './guards.js';
import { invalidRequest, unsupported } from './translation-error.js';
import type {
  AnthropicMessageParam,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
  CacheControl,
  JsonObject,
  OpenAIAssistantMessage,
  OpenAIMessage,
  OpenAISystemMessage,
  OpenAIToolMessage,
  OpenAIUserContentPart,
  OpenAIUserMessage,
} from './types.js';

type Role = 'user' | 'assistant';
interface Turn {
  role: Role;
  blocks: AnthropicRequestBlock[];
}

function withCache<T extends object>(block: T, cacheControl: CacheControl | undefined): T {
  return cacheControl ? { ...block, cache_control: cacheControl } : block;
}

function systemBlocks(message: OpenAISystemMessage, i: number): AnthropicTextBlock[] {
  if (typeof message.content === 'string') {
    return message.content === '' ? [] : [{ type: 'text', text: message.content }];
  }
  if (!Array.isArray(message.content)) {
    throw invalidRequest(
      `messages[${i}].content must be a string or an array`,
      `messages[${i}].content`,
    );
  }
  return message.content.flatMap((part, j) => {
    if (!isObject(part) || part.type !== 'text') {
      throw invalidRequest(
        `messages[${i}].content[${j}]: ${message.role} messages take text parts only`,
        `messages[${i}].content[${j}]`,
      );
    }
    return part.text === ''
      ? []
      : [withCache<AnthropicTextBlock>({ type: 'text', text: part.text }, part.cache_control)];
  });
}

function imageBlock(url: unknown, param: string): AnthropicRequestBlock {
  if (typeof url !== 'string')
    throw invalidRequest(`${param}.image_url.url must be a string`, param);
  if (url.startsWith('data:')) {
    const payload = parseBase64DataUrl(url);
    if (!payload) throw invalidRequest(`${param}: an image data URL must be base64-encoded`, param);
    return {
      type: 'image',
      source: { type: 'base64', media_type: payload.mediaType, data: payload.data },
    };
  }
  if (isHttpUrl(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidRequest(`${param}: an image URL must be an http(s) URL or a base64 data URL`, param);
}

function userPart(part: OpenAIUserContentPart, param: string): AnthropicRequestBlock[] {
  if (!isObject(part)) throw invalidRequest(`${param} must be an object`, param);
  switch (part.type) {
    case 'text':
      return part.text === ''
        ? []
        : [withCache<AnthropicRequestBlock>({ type: 'text', text: part.text }, part.cache_control)];
    case 'image_url':
      return [withCache(imageBlock(part.image_url?.url, param), part.cache_control)];
    case 'file': {
      const payload = parseBase64DataUrl(part.file?.file_data ?? '');
      if (payload?.mediaType !== 'application/pdf') {
        throw unsupported(
          `${param}: only inline PDF files can be sent to Anthropic backends`,
          param,
        );
      }
      return [
        withCache<AnthropicRequestBlock>(
          {
            type: 'document',
            source: { type: 'base64', media_type: payload.mediaType, data: payload.data },
            ...(part.file.filename ? { title: part.file.filename } : {}),
          },
          part.cache_control,
        ),
      ];
    }
    case 'input_audio':
      throw unsupported(`${param}: audio input cannot be sent to Anthropic backends`, param);
    default:
      throw invalidRequest(
        `${param}: unknown content part type '${String((part as { type: unknown }).type)}'`,
        param,
      );
  }
}

function userBlocks(message: OpenAIUserMessage, i: number): AnthropicRequestBlock[] {
  if (typeof message.content === 'string') {
    return message.content === '' ? [] : [{ type: 'text', text: message.content }];
  }
  if (!Array.isArray(message.content)) {
    throw invalidRequest(
      `messages[${i}].content must be a string or an array`,
      `messages[${i}].content`,
    );
  }
  return message.content.flatMap((part, j) => userPart(part, `messages[${i}].content[${j}]`));
}

function parseArguments(raw: unknown, param: string): JsonObject {
  if (raw === undefined || raw === '') return {};
  if (typeof raw !== 'string') throw invalidRequest(`${param} must be a JSON string`, param);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest(`${param} is not valid JSON`, param);
  }
  if (!isObject(parsed)) throw invalidRequest(`${param} must encode a JSON object`, param);
  return parsed;
}

function assistantBlocks(message: OpenAIAssistantMessage, i: number): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = [];
  for (const [k, block] of (message.thinking_blocks ?? []).entries()) {
    const param = `messages[${i}].thinking_blocks[${k}]`;
    if (!isObject(block)) throw invalidRequest(`${param} must be an object`, param);
    if (
      block.type === 'thinking' &&
      typeof block.thinking === 'string' &&
      typeof block.signature === 'string'
    ) {
      blocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      blocks.push({ type: 'redacted_thinking', data: block.data });
    } else {
      throw invalidRequest(
        `${param} must be a thinking block with a signature or a redacted_thinking block with data`,
        param,
      );
    }
  }
  if (typeof message.content === 'string') {
    if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  } else if (Array.isArray(message.content)) {
    for (const [j, part] of message.content.entries()) {
      if (!isObject(part)) {
        throw invalidRequest(
          `messages[${i}].content[${j}] must be an object`,
          `messages[${i}].content[${j}]`,
        );
      }
      const text =
        part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
      if (text === undefined) {
        throw invalidRequest(
          `messages[${i}].content[${j}]: assistant messages take text and refusal parts only`,
          `messages[${i}].content[${j}]`,
        );
      }
      if (text !== '') {
        blocks.push(
          withCache<AnthropicRequestBlock>(
            { type: 'text', text },
            part.type === 'text' ? part.cache_control : undefined,
          ),
        );
      }
    }
  }
  if (typeof message.refusal === 'string' && message.refusal !== '' && isUnset(message.content)) {
    blocks.push({ type: 'text', text: message.refusal });
  }
  for (const [k, call] of (message.tool_calls ?? []).entries()) {
    const param = `messages[${i}].tool_calls[${k}]`;
    if (!isObject(call) || !isObject(call.function) || typeof call.function.name !== 'string') {
      throw invalidRequest(`${param} must have a function name`, param);
    }
    if (typeof call.id !== 'string' || call.id === '') {
      throw invalidRequest(`${param} must have an id`, `${param}.id`);
    }
    const block: AnthropicToolUseBlock = {
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments, `${param}.function.arguments`),
    };
    blocks.push(block);
  }
  return blocks;
}

function toolResultBlock(message: OpenAIToolMessage, i: number): AnthropicToolResultBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw invalidRequest(`messages[${i}].tool_call_id is required`, `messages[${i}].tool_call_id`);
  }
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: message.tool_call_id,
  };
  if (typeof message.content === 'string') {
    if (message.content !== '') block.content = message.content;
  } else if (Array.isArray(message.content)) {
    const texts = message.content.flatMap((part, j) => {
      if (!isObject(part) || part.type !== 'text') {
        throw invalidRequest(
          `messages[${i}].content[${j}]: tool messages take text parts only`,
          `messages[${i}].content[${j}]`,
        );
      }
      return part.text === ''
        ? []
        : [withCache<AnthropicTextBlock>({ type: 'text', text: part.text }, part.cache_control)];
    });
    if (texts.length > 0) block.content = texts;
  }
  return block;
}

/** `cache_control` set on a whole message applies to its last block. */
function applyMessageCache(
  blocks: AnthropicRequestBlock[],
  message: OpenAIMessage,
): AnthropicRequestBlock[] {
  const cacheControl = 'cache_control' in message ? message.cache_control : undefined;
  const last = blocks.at(-1);
  if (!cacheControl || !last || last.type === 'thinking' || last.type === 'redacted_thinking')
    return blocks;
  if ('cache_control' in last && last.cache_control) return blocks;
  return [...blocks.slice(0, -1), { ...last, cache_control: cacheControl }];
}

function messageBlocks(
  message: OpenAIMessage,
  i: number,
): { role: Role; blocks: AnthropicRequestBlock[] } {
  switch (message.role) {
    case 'user':
      return { role: 'user', blocks: userBlocks(message, i) };
    case 'assistant':
      return { role: 'assistant', blocks: assistantBlocks(message, i) };
    case 'tool':
      return { role: 'user', blocks: [toolResultBlock(message, i)] };
    default:
      throw invalidRequest(
        `messages[${i}].role '${String((message as { role: unknown }).role)}' is not system, developer, user, assistant or tool`,
        `messages[${i}].role`,
      );
  }
}

/** Consecutive same-role messages become one turn; tool results lead their user turn. */
function turnsOf(messages: OpenAIMessage[], system: AnthropicTextBlock[]): Turn[] {
  const turns: Turn[] = [];
  for (const [i, message] of messages.entries()) {
    if (!isObject(message))
      throw invalidRequest(`messages[${i}] must be an object`, `messages[${i}]`);
    if (message.role === 'system' || message.role === 'developer') {
      system.push(...systemBlocks(message, i));
      continue;
    }
    const { role, blocks } = messageBlocks(message, i);
    const cached = applyMessageCache(blocks, message);
    if (cached.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...cached);
    else turns.push({ role, blocks: cached });
  }
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    turn.blocks = [
      ...turn.blocks.filter((block) => block.type === 'tool_result'),
      ...turn.blocks.filter((block) => block.type !== 'tool_result'),
    ];
  }
  return turns;
}

export interface AnthropicConversation {
  /** Every system and developer message's text, in order. */
  system: AnthropicTextBlock[];
  /** Alternating user and assistant turns. */
  messages: AnthropicMessageParam[];
}

/**
 * OpenAI messages → Anthropic `system` blocks and alternating turns: system and developer
 * messages are collected wherever they are, consecutive same-role messages merge, tool
 * messages become tool_result blocks leading their user turn.
 */
export function openAIMessagesToAnthropic(messages: OpenAIMessage[]): AnthropicConversation {
  const system: AnthropicTextBlock[] = [];
  const turns = turnsOf(messages, system);
  return { system, messages: turns.map((turn) => ({ role: turn.role, content: turn.blocks })) };
}
