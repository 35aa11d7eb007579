import type { ApiRequest } from './api-request.js';
import {
  describeJson,
  expectNumbers,
  expectType,
  invalid,
  readModel,
  readStreamFlag,
} from './json-fields.js';
import type { JsonObject } from './json-fields.js';

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

/** `stream` (a boolean), and `stream_options` (an object) when `stream` is given. */
function readStream(body: JsonObject): boolean {
  const stream = readStreamFlag(body);
  if (body['stream'] === undefined || body['stream'] === null) return stream;
  const options = body['stream_options'];
  if (options !== undefined && options !== null) {
    expectType(
      'stream_options',
      options,
      'an object',
      typeof options === 'object' && !Array.isArray(options),
    );
  }
  return stream;
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
export function readChatRequest(body: JsonObject): ApiRequest {
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
  expectNumbers(body, NUMBER_FIELDS);
  return {
    model,
    stream,
    body,
    usesTools: isListed(tools) || isListed(body['functions']),
    usesImages,
  };
}

/** POST /v1/completions */
export function readCompletionRequest(body: JsonObject): ApiRequest {
  const model = readModel(body);
  const prompt = body['prompt'];
  expectType(
    'prompt',
    prompt,
    'a string or an array',
    typeof prompt === 'string' || Array.isArray(prompt),
  );
  const stream = readStream(body);
  expectNumbers(body, NUMBER_FIELDS);
  return { model, stream, body, usesTools: false, usesImages: false };
}

/** POST /v1/embeddings */
export function readEmbeddingRequest(body: JsonObject): ApiRequest {
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
