// The fake Anthropic API's "model": deterministic answers (thinking, tool calls, text) that tests
// can predict, and the token counts it reports.

/** What the fake answered with, deterministic so tests can predict it. */
export const FAKE_THINKING = 'Considering the question carefully.';
export const FAKE_SIGNATURE = 'c2lnbmF0dXJlLW9mLXRoZS1mYWtl';

/** When offered tools are called (see FakeAnthropicOptions.toolCalls). */
export type ToolCallMode = 'auto' | 'asked';

/** A user's request for a tool call: `call-tool:NAME`, optionally followed by JSON arguments. */
const TOOL_REQUEST = /call-tool:([A-Za-z0-9_.-]+)[ \t]*(\{.*\})?/;

export type Json = Record<string, unknown>;

interface TextBlock {
  type: 'text';
  text: string;
}
interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Json;
}
export type Block = TextBlock | ThinkingBlock | ToolUseBlock;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (!isObject(block)) return '';
      if (block['type'] === 'text') return String(block['text'] ?? '');
      if (block['type'] === 'tool_result') return textOf(block['content']);
      return '';
    })
    .join(' ');
}

/** A value for each required property of a tool's input schema. */
function exampleInput(schema: unknown): Json {
  if (!isObject(schema) || !isObject(schema['properties'])) return {};
  const properties = schema['properties'];
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  const input: Json = {};
  for (const name of required) {
    if (typeof name !== 'string') continue;
    const type = isObject(properties[name]) ? properties[name]['type'] : undefined;
    input[name] =
      type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : `example-${name}`;
  }
  return input;
}

function hasToolResult(message: unknown): boolean {
  const content = isObject(message) ? message['content'] : undefined;
  return Array.isArray(content) && content.some((b) => isObject(b) && b['type'] === 'tool_result');
}

/** The text of the last user turn that is not only tool results (system-role messages skipped). */
function lastUserText(messages: readonly unknown[]): { text: string; answered: boolean } {
  let answered = false;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!isObject(message) || message['role'] !== 'user') continue;
    if (hasToolResult(message)) answered = true;
    const text = textOf(
      Array.isArray(message['content'])
        ? message['content'].filter((b) => isObject(b) && b['type'] === 'text')
        : message['content'],
    );
    if (text.trim() !== '') return { text, answered };
  }
  return { text: '', answered };
}

/** The tool_use block the user's last text asks for, unless a tool result answered it. */
function askedTool(messages: readonly unknown[], tools: readonly Json[], id: () => string) {
  const { text, answered } = lastUserText(messages);
  const match = TOOL_REQUEST.exec(text);
  const tool = tools.find((candidate) => candidate['name'] === match?.[1]);
  if (answered || match === null || tool === undefined) return undefined;
  let input: unknown;
  try {
    input = match[2] === undefined ? undefined : JSON.parse(match[2]);
  } catch {
    input = undefined;
  }
  const block: ToolUseBlock = {
    type: 'tool_use',
    id: id(),
    name: String(tool['name']),
    input: isObject(input) ? input : exampleInput(tool['input_schema']),
  };
  return block;
}

/**
 * The answer the fake "model" gives: a thinking block when thinking is enabled; the tool_use the
 * user's last text asks for (`call-tool:NAME {json}`); tool_use blocks when tools are offered,
 * tool_choice is not `none` (nor `auto` in the `asked` mode) and the last user turn holds no tool
 * result (the named tool for `tool`, the first for `disable_parallel_tool_use`, otherwise the
 * first two tools, in parallel); otherwise text: "Tool said: <result>" after a tool result, else
 * "You said: <last user text>".
 */
export function plan(
  body: Json,
  nextToolId: () => string,
  toolCalls: ToolCallMode,
): { blocks: Block[]; stop: string } {
  const blocks: Block[] = [];
  const thinking = body['thinking'];
  if (isObject(thinking) && thinking['type'] === 'enabled') {
    blocks.push({ type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE });
  }
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last: unknown = messages[messages.length - 1];
  const lastContent = isObject(last) ? last['content'] : undefined;
  const toolResult = Array.isArray(lastContent)
    ? lastContent.find((block) => isObject(block) && block['type'] === 'tool_result')
    : undefined;
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isObject) : [];
  const choice = isObject(body['tool_choice']) ? body['tool_choice'] : { type: 'auto' };
  const asked = choice['type'] === 'none' ? undefined : askedTool(messages, tools, nextToolId);
  if (asked !== undefined) return { blocks: [...blocks, asked], stop: 'tool_use' };
  if (
    (toolCalls === 'auto' || choice['type'] !== 'auto') &&
    tools.length > 0 &&
    choice['type'] !== 'none' &&
    toolResult === undefined
  ) {
    const chosen =
      choice['type'] === 'tool'
        ? tools.filter((tool) => tool['name'] === choice['name'])
        : tools.slice(0, choice['disable_parallel_tool_use'] === true ? 1 : 2);
    for (const tool of chosen) {
      blocks.push({
        type: 'tool_use',
        id: nextToolId(),
        name: String(tool['name']),
        input: exampleInput(tool['input_schema']),
      });
    }
    return { blocks, stop: 'tool_use' };
  }
  const text =
    toolResult !== undefined
      ? `Tool said: ${textOf((toolResult as Json)['content'])}`
      : `You said: ${lastUserText(messages).text}`;
  blocks.push({ type: 'text', text });
  return { blocks, stop: 'end_turn' };
}

export function inputTokens(body: Json): number {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const text = [
    textOf(body['system']),
    ...messages.map((m) => (isObject(m) ? textOf(m['content']) : '')),
  ];
  return Math.max(
    1,
    text.reduce((sum, part) => sum + words(part), 0),
  );
}

export function outputTokens(blocks: readonly Block[]): number {
  return blocks.reduce((sum, block) => {
    if (block.type === 'text') return sum + words(block.text);
    if (block.type === 'thinking') return sum + words(block.thinking);
    return sum + 1 + Object.keys(block.input).length;
  }, 0);
}
