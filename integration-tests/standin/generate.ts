// The stand-in's "model": deterministic answers that tests can predict. A text answer echoes the
// words of the last user message, cycled to the token count; a tool call fills the tool's
// required parameters with example values taken from its JSON schema.
import { randomInt } from 'node:crypto';
import type { RequestBehaviour } from './behaviour.js';
import type { ChatMessage, ChatRequest, CompletionRequest } from './requests.js';

/** The reasoning the stand-in "thinks" when reasoning is on, one word per token. */
export const REASONING_TEXT = 'Let me think about this.';
/** Prefix of the text answer that follows a tool result. */
export const TOOL_RESULT_PREFIX = 'Tool said:';
/** Word used when the source text has none. */
const EMPTY_SOURCE_WORD = 'ok';
/** Characters per streamed tool-argument delta. */
const ARGUMENT_PIECE_CHARS = 6;

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON string OpenAI sends. */
  arguments: string;
}

export type ChatPlan =
  | { kind: 'text'; reasoning: string[]; tokens: string[]; finishReason: 'stop' | 'length' }
  | { kind: 'tools'; reasoning: string[]; calls: PlannedToolCall[] };

export interface TextPlan {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/** Splits text into tokens: one per word, every word after the first with its leading space. */
export function tokenize(text: string): string[] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  return words.map((word, index) => (index === 0 ? word : ` ${word}`));
}

/** The words of `source` cycled to exactly `count` tokens (tokens joined give the reply text). */
export function replyTokens(source: string, count: number): string[] {
  const words = source.split(/\s+/).filter((word) => word !== '');
  const cycle = words.length > 0 ? words : [EMPTY_SOURCE_WORD];
  return Array.from({ length: count }, (_, index) => {
    const word = cycle[index % cycle.length] ?? EMPTY_SOURCE_WORD;
    return index === 0 ? word : ` ${word}`;
  });
}

/** Tokens to generate: the behaviour's count, capped by max_tokens (then finish_reason is length). */
export function textPlan(source: string, wanted: number, maxTokens: number | undefined): TextPlan {
  const capped = maxTokens !== undefined && maxTokens < wanted;
  return {
    tokens: replyTokens(source, capped ? maxTokens : wanted),
    finishReason: capped ? 'length' : 'stop',
  };
}

/** Rough prompt size: the number of words in all messages, at least 1. */
export function countPromptTokens(texts: readonly string[]): number {
  const words = texts.reduce((sum, text) => sum + tokenize(text).length, 0);
  return Math.max(1, words);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An example value satisfying a JSON schema: string "example", number 1, boolean true, ... */
export function exampleValue(schema: unknown): unknown {
  if (!isObject(schema)) return 'example';
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  if ('const' in schema) return schema['const'];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleValue(options[0]);
  }
  const declared = schema['type'];
  const type = Array.isArray(declared)
    ? (declared.find((item) => item !== 'null') ?? declared[0])
    : declared;
  switch (type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return schema['items'] === undefined ? [] : [exampleValue(schema['items'])];
    case 'object':
      return exampleArguments(schema);
    default:
      return isObject(schema['properties']) ? exampleArguments(schema) : 'example';
  }
}

/** The arguments object for a tool: every required property with its example value. */
export function exampleArguments(parameters: unknown): Record<string, unknown> {
  if (!isObject(parameters)) return {};
  const properties = isObject(parameters['properties']) ? parameters['properties'] : {};
  const required = Array.isArray(parameters['required']) ? parameters['required'] : [];
  const result: Record<string, unknown> = {};
  for (const name of required) {
    if (typeof name === 'string') result[name] = exampleValue(properties[name]);
  }
  return result;
}

/** Splits a JSON string into the argument deltas of a streamed tool call (at least two pieces). */
export function splitArguments(json: string): string[] {
  if (json.length < 2) return [json];
  const size = Math.min(ARGUMENT_PIECE_CHARS, Math.ceil(json.length / 2));
  const pieces: string[] = [];
  for (let start = 0; start < json.length; start += size)
    pieces.push(json.slice(start, start + size));
  return pieces;
}

/** A tool call id in the real server's shape: `call_` + unix seconds + 6 random digits. */
export function toolCallId(now = Date.now()): string {
  return `call_${Math.floor(now / 1000)}${String(randomInt(1_000_000)).padStart(6, '0')}`;
}

function lastMessage(messages: readonly ChatMessage[]): ChatMessage | undefined {
  return messages[messages.length - 1];
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role === 'user') return message.text;
  }
  return '';
}

/** A user's request for a tool call: `call-tool:NAME`, optionally followed by JSON arguments. */
const TOOL_REQUEST = /call-tool:([A-Za-z0-9_.-]+)[ \t]*(\{.*\})?/;

function parsedObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tool call the user's last message asks for, when no tool result has answered it yet and
 * the tool is offered: its arguments as written, else example values from its schema.
 */
function askedToolCall(request: ChatRequest): PlannedToolCall | undefined {
  const { messages } = request;
  let index = messages.length - 1;
  while (index >= 0 && messages[index]?.role !== 'user') {
    if (messages[index]?.role === 'tool') return undefined;
    index -= 1;
  }
  const match = TOOL_REQUEST.exec(messages[index]?.text ?? '');
  const tool = request.tools.find((candidate) => candidate.name === match?.[1]);
  if (match === null || tool === undefined) return undefined;
  const args = parsedObject(match[2]) ?? exampleArguments(tool.parameters);
  return { id: toolCallId(), name: tool.name, arguments: JSON.stringify(args) };
}

/**
 * What the model answers to a chat request: the tool call the user's last message asks for
 * (`call-tool:NAME {json}`); else, in the `auto` tool-call mode, tool calls when tools are
 * offered, tool_choice is not "none" and the last message is the user's; otherwise text (after a
 * tool result, "Tool said: <result>"; else the last user message echoed).
 */
export function planChat(
  request: ChatRequest,
  behaviour: RequestBehaviour,
  defaultMaxTokens?: number,
): ChatPlan {
  const reasoning = behaviour.reasoning ? tokenize(REASONING_TEXT) : [];
  const last = lastMessage(request.messages);
  const asked = request.toolChoice.kind === 'none' ? undefined : askedToolCall(request);
  if (asked !== undefined) return { kind: 'tools', reasoning, calls: [asked] };
  const choiceKind = request.toolChoice.kind;
  const wantsTools =
    request.tools.length > 0 &&
    choiceKind !== 'none' &&
    (choiceKind !== 'auto' || behaviour.toolCalls === 'auto') &&
    last?.role === 'user';
  if (wantsTools) {
    const choice = request.toolChoice;
    const chosen =
      choice.kind === 'named'
        ? request.tools.filter((tool) => tool.name === choice.name).slice(0, 1)
        : request.tools.slice(0, behaviour.parallelTools && request.parallelToolCalls ? 2 : 1);
    return {
      kind: 'tools',
      reasoning,
      calls: chosen.map((tool) => ({
        id: toolCallId(),
        name: tool.name,
        arguments: JSON.stringify(exampleArguments(tool.parameters)),
      })),
    };
  }
  const source =
    last?.role === 'tool' ? `${TOOL_RESULT_PREFIX} ${last.text}` : lastUserText(request.messages);
  const plan = textPlan(source, behaviour.tokens, request.maxTokens ?? defaultMaxTokens);
  return { kind: 'text', reasoning, ...plan };
}

/** What the model answers to a legacy completion: the prompt's words echoed. */
export function planCompletion(
  request: CompletionRequest,
  behaviour: RequestBehaviour,
  defaultMaxTokens?: number,
): TextPlan {
  return textPlan(request.prompt, behaviour.tokens, request.maxTokens ?? defaultMaxTokens);
}
