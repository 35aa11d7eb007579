// Request bodies of the three generation endpoints, checked by hand (the stand-in uses node
// built-ins only) and reduced to what the stand-in needs to build its deterministic answer.

/** A request the stand-in refuses with an OpenAI-style error body (HTTP 400 unless told). */
export class RequestError extends Error {
  readonly code = 'STANDIN_BAD_REQUEST';
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly status = 400,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface ChatMessage {
  role: string;
  /** The message's text: a string content, or its text parts joined by spaces. */
  text: string;
}

export interface ToolSpec {
  name: string;
  parameters: unknown;
}

export type ToolChoice = { kind: 'auto' } | { kind: 'none' } | { kind: 'named'; name: string };

export interface ChatRequest {
  model: string | undefined;
  messages: ChatMessage[];
  stream: boolean;
  maxTokens: number | undefined;
  includeUsage: boolean;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
}

export interface CompletionRequest {
  model: string | undefined;
  prompt: string;
  stream: boolean;
  maxTokens: number | undefined;
  includeUsage: boolean;
}

export interface EmbeddingRequest {
  model: string | undefined;
  inputs: string[];
  encodingFormat: 'float' | 'base64';
  dimensions: number | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a request body; a body that is not a JSON object is a 400 like the real server's. */
export function parseJsonBody(raw: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new RequestError(`Invalid JSON in request body: ${detail}`);
  }
  if (!isObject(value)) throw new RequestError('Request body must be a JSON object');
  return value;
}

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RequestError(`'${key}' must be a string`, key);
  return value;
}

function optionalBoolean(body: Json, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new RequestError(`'${key}' must be a boolean`, key);
  return value;
}

function maxTokens(body: Json): number | undefined {
  for (const key of ['max_completion_tokens', 'max_tokens']) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new RequestError(`'${key}' must be a positive integer`, key);
    }
    return value;
  }
  return undefined;
}

function includeUsage(body: Json): boolean {
  const options = body['stream_options'];
  return isObject(options) && options['include_usage'] === true;
}

/** The text of a message content: a string, or the `text` of its text parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      isObject(part) && typeof part['text'] === 'string' ? part['text'] : '',
    )
    .filter((text) => text !== '')
    .join(' ');
}

function parseMessages(body: Json): ChatMessage[] {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new RequestError("'messages' must be a non-empty array", 'messages');
  }
  return messages.map((message: unknown, index) => {
    if (!isObject(message) || typeof message['role'] !== 'string') {
      throw new RequestError(`'messages[${index}].role' must be a string`, 'messages');
    }
    return { role: message['role'], text: contentText(message['content']) };
  });
}

function parseTools(body: Json): ToolSpec[] {
  const tools = body['tools'];
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw new RequestError("'tools' must be an array", 'tools');
  return tools.map((tool: unknown, index) => {
    const fn = isObject(tool) ? tool['function'] : undefined;
    if (!isObject(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
      throw new RequestError(`'tools[${index}].function.name' must be a string`, 'tools');
    }
    return { name: fn['name'], parameters: fn['parameters'] };
  });
}

function parseToolChoice(body: Json): ToolChoice {
  const choice = body['tool_choice'];
  if (choice === undefined || choice === null || choice === 'auto' || choice === 'required') {
    return { kind: 'auto' };
  }
  if (choice === 'none') return { kind: 'none' };
  if (isObject(choice) && isObject(choice['function'])) {
    const name = choice['function']['name'];
    if (typeof name === 'string' && name !== '') return { kind: 'named', name };
  }
  throw new RequestError(
    "'tool_choice' must be 'none', 'auto', 'required' or {type: 'function', function: {name}}",
    'tool_choice',
  );
}

export function parseChatRequest(body: Json): ChatRequest {
  const request: ChatRequest = {
    model: optionalString(body, 'model'),
    messages: parseMessages(body),
    stream: optionalBoolean(body, 'stream') ?? false,
    maxTokens: maxTokens(body),
    includeUsage: includeUsage(body),
    tools: parseTools(body),
    toolChoice: parseToolChoice(body),
    parallelToolCalls: optionalBoolean(body, 'parallel_tool_calls') ?? true,
  };
  const choice = request.toolChoice;
  if (choice.kind === 'named' && !request.tools.some((tool) => tool.name === choice.name)) {
    throw new RequestError(`Tool choice '${choice.name}' is not in 'tools'`, 'tool_choice');
  }
  return request;
}

export function parseCompletionRequest(body: Json): CompletionRequest {
  const prompt = body['prompt'];
  let text: string;
  if (typeof prompt === 'string') text = prompt;
  else if (Array.isArray(prompt) && prompt.every((item) => typeof item === 'string')) {
    text = prompt.join(' ');
  } else throw new RequestError("'prompt' must be a string or an array of strings", 'prompt');
  return {
    model: optionalString(body, 'model'),
    prompt: text,
    stream: optionalBoolean(body, 'stream') ?? false,
    maxTokens: maxTokens(body),
    includeUsage: includeUsage(body),
  };
}

const isTokenList = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

export function parseEmbeddingRequest(body: Json): EmbeddingRequest {
  const input = body['input'];
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (isTokenList(input) && input.length > 0) inputs = [JSON.stringify(input)];
  else if (
    Array.isArray(input) &&
    input.length > 0 &&
    input.every((item) => typeof item === 'string' || isTokenList(item))
  ) {
    inputs = input.map((item: string | number[]) =>
      typeof item === 'string' ? item : JSON.stringify(item),
    );
  } else {
    throw new RequestError(
      "'input' must be a string, an array of strings or an array of token arrays",
      'input',
    );
  }
  const format = body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new RequestError("'encoding_format' must be 'float' or 'base64'", 'encoding_format');
  }
  const dimensions = body['dimensions'];
  if (
    dimensions !== undefined &&
    dimensions !== null &&
    (typeof dimensions !== 'number' ||
      !Number.isInteger(dimensions) ||
      dimensions < 1 ||
      dimensions > 4096)
  ) {
    throw new RequestError("'dimensions' must be an integer from 1 to 4096", 'dimensions');
  }
  return {
    model: optionalString(body, 'model'),
    inputs,
    encodingFormat: format,
    dimensions: typeof dimensions === 'number' ? dimensions : undefined,
  };
}
