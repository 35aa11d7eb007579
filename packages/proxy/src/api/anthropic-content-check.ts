import { describeJson, expectType, invalid, isJsonObject } from './json-fields.js';
import type { JsonObject } from './json-fields.js';

/**
 * Hand-written shape checks of the conversation parts of an Anthropic Messages request
 * (messages, content blocks, system, tools, tool_choice), each failure a 400 naming the field
 * (`messages[1].content[0].input`). Only what the proxy and the translators rely on is checked;
 * block types the gateway does not know pass (the translation or the upstream decides).
 */

function expectString(param: string, value: unknown): void {
  expectType(param, value, 'a string', typeof value === 'string');
}

function expectObject(param: string, value: unknown): asserts value is JsonObject {
  expectType(param, value, 'an object', isJsonObject(value));
}

/** What the content of a request contains, for the capability check. */
export interface ContentFacts {
  images: boolean;
}

/** Fields each known block type must carry, and their checks. */
const BLOCK_FIELDS: Record<string, ReadonlyArray<[string, (param: string, v: unknown) => void]>> = {
  text: [['text', expectString]],
  image: [['source', expectObject]],
  document: [['source', expectObject]],
  tool_use: [
    ['id', expectString],
    ['name', expectString],
    ['input', expectObject],
  ],
  tool_result: [['tool_use_id', expectString]],
  thinking: [
    ['thinking', expectString],
    ['signature', expectString],
  ],
  redacted_thinking: [['data', expectString]],
};

function checkBlock(param: string, block: unknown, facts: ContentFacts): void {
  expectObject(param, block);
  const type = block['type'];
  expectType(`${param}.type`, type, 'a string naming the block type', typeof type === 'string');
  for (const [field, check] of BLOCK_FIELDS[type as string] ?? []) {
    check(`${param}.${field}`, block[field]);
  }
  if (type === 'image') facts.images = true;
  if (type === 'tool_result') {
    const content = block['content'];
    if (content === undefined || typeof content === 'string') return;
    expectType(
      `${param}.content`,
      content,
      'a string or an array of blocks',
      Array.isArray(content),
    );
    (content as unknown[]).forEach((inner, k) =>
      checkBlock(`${param}.content[${k}]`, inner, facts),
    );
  }
}

/** Roles a message may have; `system` is an instruction placed in the conversation. */
const MESSAGE_ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant', 'system']);

/**
 * `messages`: a non-empty array of `{role: user|assistant|system, content: string | blocks}`.
 * Other fields of a message (per-turn settings of newer clients) are left to the backend.
 */
export function checkMessages(messages: unknown, facts: ContentFacts): void {
  expectType('messages', messages, 'an array', Array.isArray(messages));
  const list = messages as unknown[];
  if (list.length === 0) throw invalid('messages', "'messages' must hold at least one message");
  list.forEach((message, i) => {
    const param = `messages[${i}]`;
    expectObject(param, message);
    const role = message['role'];
    if (!MESSAGE_ROLES.has(role)) {
      throw invalid(
        `${param}.role`,
        `'${param}.role' must be 'user', 'assistant' or 'system', got ${typeof role === 'string' ? `'${role}'` : describeJson(role)}`,
      );
    }
    const content = message['content'];
    if (typeof content === 'string') return;
    expectType(
      `${param}.content`,
      content,
      'a string or an array of content blocks',
      Array.isArray(content),
    );
    (content as unknown[]).forEach((block, j) =>
      checkBlock(`${param}.content[${j}]`, block, facts),
    );
  });
}

/** `system`: a string or an array of text blocks. */
export function checkSystem(system: unknown): void {
  if (system === undefined || typeof system === 'string') return;
  expectType('system', system, 'a string or an array of text blocks', Array.isArray(system));
  (system as unknown[]).forEach((block, i) => {
    const param = `system[${i}]`;
    expectObject(param, block);
    if (block['type'] !== 'text') {
      throw invalid(`${param}.type`, `'${param}.type' must be 'text'`);
    }
    expectString(`${param}.text`, block['text']);
  });
}

/** `tools`: objects with a name; client tools (no `type`, or `custom`) also an input_schema. */
export function checkTools(tools: unknown): boolean {
  if (tools === undefined) return false;
  expectType('tools', tools, 'an array', Array.isArray(tools));
  const list = tools as unknown[];
  list.forEach((tool, i) => {
    const param = `tools[${i}]`;
    expectObject(param, tool);
    const name = tool['name'];
    expectType(
      `${param}.name`,
      name,
      'a non-empty string',
      typeof name === 'string' && name !== '',
    );
    const type = tool['type'];
    if (type !== undefined && type !== null) expectString(`${param}.type`, type);
    if (type === undefined || type === null || type === 'custom') {
      expectObject(`${param}.input_schema`, tool['input_schema']);
    }
  });
  return list.length > 0;
}

const TOOL_CHOICE_TYPES = new Set(['auto', 'any', 'tool', 'none']);

/** `tool_choice`: `{type: auto|any|tool|none}`, a name with `tool`. */
export function checkToolChoice(choice: unknown): void {
  if (choice === undefined) return;
  expectObject('tool_choice', choice);
  const type = choice['type'];
  if (typeof type !== 'string' || !TOOL_CHOICE_TYPES.has(type)) {
    throw invalid('tool_choice.type', "'tool_choice.type' must be 'auto', 'any', 'tool' or 'none'");
  }
  if (type === 'tool') expectString('tool_choice.name', choice['name']);
  const serial = choice['disable_parallel_tool_use'];
  if (serial !== undefined) {
    expectType(
      'tool_choice.disable_parallel_tool_use',
      serial,
      'a boolean',
      typeof serial === 'boolean',
    );
  }
}
