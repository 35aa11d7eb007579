import { TokenTally } from './estimate-tokens.js';
import { isObject } from './guards.js';
import type { AnthropicMessagesRequest } from './types.js';

/** Framing tokens per message (role markers) and per tool definition. */
const PER_MESSAGE_TOKENS = 4;
const PER_TOOL_TOKENS = 8;
/**
 * Tokens per image. Image size is not decoded; this is about what Claude charges for an
 * image near its 1.15 megapixel resize limit, and an upper bound for most local VLMs.
 */
const PER_IMAGE_TOKENS = 1600;

function tallyContent(content: unknown, tally: TokenTally): void {
  if (typeof content === 'string') {
    tally.add(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const block of content) {
    if (!isObject(block)) continue;
    switch (block.type) {
      case 'text':
        tally.add(String(block.text ?? ''));
        break;
      case 'image':
        tally.addTokens(PER_IMAGE_TOKENS);
        break;
      case 'tool_use':
        tally.add(String(block.name ?? ''));
        tally.add(JSON.stringify(block.input ?? {}));
        break;
      case 'tool_result':
        tallyContent(block.content, tally);
        break;
      case 'document':
        tally.add(JSON.stringify(block.source ?? ''));
        break;
      // Thinking from earlier turns is dropped from the context by Anthropic and by most
      // local chat templates, so it is not counted.
      default:
        break;
    }
  }
}

/**
 * An estimate of the input tokens of an Anthropic Messages request, for
 * `/v1/messages/count_tokens` and for `message_start` usage when the backend reports
 * usage only at the end. It is a heuristic (see estimate-tokens.ts), not the backend's
 * tokenizer; it never returns 0.
 */
export function countTokensAnthropic(request: AnthropicMessagesRequest): { input_tokens: number } {
  const tally = new TokenTally();
  tallyContent(request.system, tally);
  for (const message of Array.isArray(request.messages) ? request.messages : []) {
    tally.addTokens(PER_MESSAGE_TOKENS);
    tallyContent(message.content, tally);
  }
  for (const tool of request.tools ?? []) {
    tally.addTokens(PER_TOOL_TOKENS);
    tally.add(String(tool.name ?? ''));
    tally.add(String(tool.description ?? ''));
    tally.add(JSON.stringify(tool.input_schema ?? {}));
  }
  return { input_tokens: Math.max(1, tally.tokens) };
}
