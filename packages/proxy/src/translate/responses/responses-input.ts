import { isObject } from '../guards.js';
import { invalidRequest } from '../translation-error.js';
import type {
  OpenAIAssistantMessage,
  OpenAIMessage,
  OpenAITextPart,
  OpenAIUserContentPart,
} from '../types.js';
import type { ResponsesContentPart, ResponsesInputItem } from './types.js';

/** What the input items become: chat messages, and the item types that could not be carried. */
export interface MappedInput {
  messages: OpenAIMessage[];
  dropped: string[];
}

function textOf(parts: ResponsesContentPart[] | string, param: string): string {
  if (typeof parts === 'string') return parts;
  if (!Array.isArray(parts)) throw invalidRequest(`'${param}' must be a string or an array`, param);
  return parts
    .map((part) => {
      if (!isObject(part)) return '';
      if (typeof part['text'] === 'string') return part['text'];
      if (part.type === 'refusal') return part.refusal;
      return '';
    })
    .join('');
}

function userParts(parts: ResponsesContentPart[], param: string): OpenAIUserContentPart[] {
  return parts.map((part, index): OpenAIUserContentPart => {
    const where = `${param}[${index}]`;
    if (!isObject(part)) throw invalidRequest(`'${where}' must be an object`, where);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return { type: 'text', text: part.text };
      case 'input_image': {
        const url = part.image_url ?? undefined;
        if (typeof url !== 'string') {
          throw invalidRequest(
            `'${where}' has no image_url: images uploaded to OpenAI by file_id cannot be read by this backend`,
            where,
          );
        }
        return {
          type: 'image_url',
          image_url: part.detail ? { url, detail: part.detail } : { url },
        };
      }
      case 'input_file': {
        const file: { file_data?: string; file_id?: string; filename?: string } = {};
        if (part.file_data !== undefined) file.file_data = part.file_data;
        if (part.file_id !== undefined) file.file_id = part.file_id;
        if (part.filename !== undefined) file.filename = part.filename;
        return { type: 'file', file };
      }
      case 'refusal':
        return { type: 'text', text: part.refusal };
      default:
        throw invalidRequest(
          `'${where}.type' ${JSON.stringify((part as { type?: unknown }).type)} is not a content type of the Responses API`,
          `${where}.type`,
        );
    }
  });
}

/** The assistant message being built from consecutive assistant items. */
function openAssistant(messages: OpenAIMessage[]): OpenAIAssistantMessage {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant' && (last.tool_calls ?? []).length === 0) return last;
  const fresh: OpenAIAssistantMessage = { role: 'assistant', content: null };
  messages.push(fresh);
  return fresh;
}

/** An assistant message that tool calls may still join (no tool result since). */
function assistantForCalls(messages: OpenAIMessage[]): OpenAIAssistantMessage {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return last;
  const fresh: OpenAIAssistantMessage = { role: 'assistant', content: null };
  messages.push(fresh);
  return fresh;
}

function pushMessage(
  messages: OpenAIMessage[],
  item: { role: unknown; content: unknown },
  param: string,
): void {
  const content = item.content as string | ResponsesContentPart[];
  switch (item.role) {
    case 'system':
    case 'developer':
      messages.push({ role: 'system', content: textOf(content, `${param}.content`) });
      return;
    case 'user':
      messages.push({
        role: 'user',
        content: typeof content === 'string' ? content : userParts(content, `${param}.content`),
      });
      return;
    case 'assistant': {
      const text = textOf(content, `${param}.content`);
      const message = openAssistant(messages);
      message.content = (typeof message.content === 'string' ? message.content : '') + text;
      return;
    }
    default:
      throw invalidRequest(
        `'${param}.role' must be user, assistant, system or developer, got ${JSON.stringify(item.role)}`,
        `${param}.role`,
      );
  }
}

function toolOutput(output: unknown, param: string): string | OpenAITextPart[] {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return textOf(output as ResponsesContentPart[], param);
  return JSON.stringify(output ?? '');
}

/**
 * The conversation as chat messages, in order: messages of every role (developer and system
 * become system messages where they stand), function calls joined to the assistant message
 * they follow, their outputs as tool messages, the summaries of reasoning items as the next
 * assistant message's `reasoning_content`. Item types no chat backend has (built-in tool calls)
 * are dropped and named.
 */
export function mapInput(input: string | ResponsesInputItem[] | undefined): MappedInput {
  const out: MappedInput = { messages: [], dropped: [] };
  if (input === undefined) return out;
  if (typeof input === 'string') {
    out.messages.push({ role: 'user', content: input });
    return out;
  }
  if (!Array.isArray(input)) throw invalidRequest("'input' must be a string or an array", 'input');
  let reasoning: string | undefined;
  input.forEach((item, index) => {
    const param = `input[${index}]`;
    if (!isObject(item)) throw invalidRequest(`'${param}' must be an object`, param);
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      pushMessage(out.messages, item as unknown as { role: unknown; content: unknown }, param);
      if (item['role'] === 'assistant' && reasoning !== undefined) {
        (out.messages[out.messages.length - 1] as OpenAIAssistantMessage).reasoning_content =
          reasoning;
        reasoning = undefined;
      }
    } else if (type === 'function_call') {
      const message = assistantForCalls(out.messages);
      if (reasoning !== undefined) message.reasoning_content = reasoning;
      reasoning = undefined;
      (message.tool_calls ??= []).push({
        id: String(item['call_id']),
        type: 'function',
        function: { name: String(item['name']), arguments: String(item['arguments'] ?? '') },
      });
    } else if (type === 'function_call_output') {
      out.messages.push({
        role: 'tool',
        tool_call_id: String(item['call_id']),
        content: toolOutput(item['output'], `${param}.output`),
      });
    } else if (type === 'reasoning') {
      const summary = Array.isArray(item['summary']) ? item['summary'] : [];
      const text = textOf(summary as ResponsesContentPart[], `${param}.summary`);
      if (text !== '') reasoning = reasoning === undefined ? text : `${reasoning}\n\n${text}`;
    } else {
      out.dropped.push(`input[${String(type)}]`);
    }
  });
  return out;
}
