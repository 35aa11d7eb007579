import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared';
import { describeJson } from '../http/parse-json-object.js';
import type { JsonObject } from '../http/parse-json-object.js';
import {
  checkMessages,
  checkSystem,
  checkToolChoice,
  checkTools,
  expectType,
  invalid,
  isJsonObject,
} from './anthropic-content-check.js';
import type { ContentFacts } from './anthropic-content-check.js';
import type { OpenAIRequest } from './openai-request.js';

/**
 * An Anthropic-format request after the proxy's checks. The shape is the one every route hands
 * to the router and the backends (`OpenAIRequest`: model, stream, body and what the capability
 * check needs); `body` is the Anthropic request.
 */
export type AnthropicRequest = OpenAIRequest;

const NUMBER_FIELDS = ['temperature', 'top_p', 'top_k'] as const;

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

function readMaxTokens(body: JsonObject): void {
  const value = body['max_tokens'];
  if (value === undefined || value === null) {
    throw invalid(
      'max_tokens',
      "'max_tokens' is required: the most tokens the answer may use (the Messages API has no default)",
    );
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(
      'max_tokens',
      `'max_tokens' must be a positive integer, got ${typeof value === 'number' ? value : describeJson(value)}`,
    );
  }
}

function readStream(body: JsonObject): boolean {
  const stream = body['stream'];
  if (stream === undefined || stream === null) return false;
  expectType('stream', stream, 'a boolean', typeof stream === 'boolean');
  return stream as boolean;
}

function checkOptionalFields(body: JsonObject): void {
  for (const field of NUMBER_FIELDS) {
    const value = body[field];
    if (value !== undefined && value !== null) {
      expectType(field, value, 'a number', typeof value === 'number');
    }
  }
  const stops = body['stop_sequences'];
  if (stops !== undefined && stops !== null) {
    expectType(
      'stop_sequences',
      stops,
      'an array of strings',
      Array.isArray(stops) && stops.every((s) => typeof s === 'string'),
    );
  }
  const metadata = body['metadata'];
  if (metadata !== undefined && metadata !== null) {
    expectType('metadata', metadata, 'an object', isJsonObject(metadata));
    const userId = (metadata as JsonObject)['user_id'];
    if (userId !== undefined && userId !== null) {
      expectType('metadata.user_id', userId, 'a string', typeof userId === 'string');
    }
  }
  const thinking = body['thinking'];
  if (thinking !== undefined && thinking !== null) {
    expectType('thinking', thinking, 'an object', isJsonObject(thinking));
    expectType(
      'thinking.type',
      (thinking as JsonObject)['type'],
      'a string',
      typeof (thinking as JsonObject)['type'] === 'string',
    );
  }
}

function readConversation(body: JsonObject): { usesTools: boolean; usesImages: boolean } {
  const facts: ContentFacts = { images: false };
  checkMessages(body['messages'], facts);
  checkSystem(body['system']);
  const usesTools = checkTools(body['tools']);
  checkToolChoice(body['tool_choice']);
  checkOptionalFields(body);
  return { usesTools, usesImages: facts.images };
}

/** POST /v1/messages */
export function readAnthropicMessagesRequest(body: JsonObject): AnthropicRequest {
  const model = readModel(body);
  readMaxTokens(body);
  const stream = readStream(body);
  return { model, stream, body, ...readConversation(body) };
}

/**
 * POST /v1/messages/count_tokens: the same body without `max_tokens` and `stream`. Counting
 * uses no capability of the model, so nothing is required of it beyond chat.
 */
export function readAnthropicCountTokensRequest(body: JsonObject): AnthropicRequest {
  const model = readModel(body);
  readConversation(body);
  return { model, stream: false, body, usesTools: false, usesImages: false };
}
