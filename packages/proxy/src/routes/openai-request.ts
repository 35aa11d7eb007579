import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared';
import { describeJson } from '../http/parse-json-object.js';
import type { JsonObject } from '../http/parse-json-object.js';

/** An OpenAI-format request body after the checks the proxy makes on the hot path. */
export interface OpenAIRequest {
  model: string;
  stream: boolean;
  body: JsonObject;
  /** The request declares tools (or legacy functions). */
  usesTools: boolean;
  /** A message carries an image part. */
  usesImages: boolean;
}

const NUMBER_FIELDS = [
  'temperature',
  'top_p',
  'n',
  'max_tokens',
  'max_completion_tokens',
  'presence_penalty',
  'frequency_penalty',
  'seed',
] as const;

const IMAGE_PART_TYPES = new Set(['image_url', 'image', 'input_image']);

function invalid(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCodes.INVALID_REQUEST, message, { param });
}

function expectType(param: string, value: unknown, expected: string, ok: boolean): void {
  if (!ok) throw invalid(param, `'${param}' must be ${expected}, got ${describeJson(value)}`);
}

function readModel(body: JsonObject): string {
  const model = body['model'];
  if (model === undefined || model === null || model === '') {
    throw new GatewayError(
      ErrorCodes.MISSING_MODEL,
      "request body has no 'model'; name one of the models listed by GET /v1/models",
      { param: 'model' },
    );
  }
  expectType('model', model, 'a string', typeof model === 'string');
  return model as string;
}

function readStream(body: JsonObject): boolean {
  const stream = body['stream'];
  if (stream === undefined || stream === null) return false;
  expectType('stream', stream, 'a boolean', typeof stream === 'boolean');
  const options = body['stream_options'];
  if (options !== undefined && options !== null) {
    expectType(
      'stream_options',
      options,
      'an object',
      typeof options === 'object' && !Array.isArray(options),
    );
  }
  return stream as boolean;
}

function checkNumbers(body: JsonObject): void {
  for (const field of NUMBER_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== null) {
      expectType(field, value, 'a number', typeof value === 'number');
    }
  }
}

function isListed(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function hasImagePart(content: unknown): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content) {
    if (
      typeof part === 'object' &&
      part !== null &&
      IMAGE_PART_TYPES.has((part as JsonObject)['type'] as string)
    ) {
      return true;
    }
  }
  return false;
}

/** POST /v1/chat/completions */
export function readChatRequest(body: JsonObject): OpenAIRequest {
  const model = readModel(body);
  const messages = body['messages'];
  expectType('messages', messages, 'an array', Array.isArray(messages));
  let usesImages = false;
  const list = messages as unknown[];
  for (let i = 0; i < list.length; i++) {
    const message = list[i];
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw invalid(
        `messages[${i}]`,
        `'messages[${i}]' must be an object, got ${describeJson(message)}`,
      );
    }
    if (!usesImages && hasImagePart((message as JsonObject)['content'])) usesImages = true;
  }
  const stream = readStream(body);
  const tools = body['tools'];
  if (tools !== undefined && tools !== null) {
    expectType('tools', tools, 'an array', Array.isArray(tools));
  }
  checkNumbers(body);
  return {
    model,
    stream,
    body,
    usesTools: isListed(tools) || isListed(body['functions']),
    usesImages,
  };
}

/** POST /v1/completions */
export function readCompletionRequest(body: JsonObject): OpenAIRequest {
  const model = readModel(body);
  const prompt = body['prompt'];
  expectType(
    'prompt',
    prompt,
    'a string or an array',
    typeof prompt === 'string' || Array.isArray(prompt),
  );
  const stream = readStream(body);
  checkNumbers(body);
  return { model, stream, body, usesTools: false, usesImages: false };
}

/** POST /v1/embeddings */
export function readEmbeddingRequest(body: JsonObject): OpenAIRequest {
  const model = readModel(body);
  const input = body['input'];
  expectType(
    'input',
    input,
    'a string or an array',
    typeof input === 'string' || Array.isArray(input),
  );
  const format = body['encoding_format'];
  if (format !== undefined && format !== null) {
    expectType('encoding_format', format, 'a string', typeof format === 'string');
  }
  return { model, stream: false, body, usesTools: false, usesImages: false };
}
