import type { ApiRequest } from './api-request.js';
import {
  checkMessages,
  checkSystem,
  checkToolChoice,
  checkTools,
} from './anthropic-content-check.js';
import type { ContentFacts } from './anthropic-content-check.js';
import {
  describeJson,
  expectNumbers,
  expectType,
  invalid,
  isJsonObject,
  readModel,
  readStreamFlag,
} from './json-fields.js';
import type { JsonObject } from './json-fields.js';

const NUMBER_FIELDS = ['temperature', 'top_p', 'top_k'] as const;

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

function checkOptionalFields(body: JsonObject): void {
  expectNumbers(body, NUMBER_FIELDS);
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
export function readAnthropicMessagesRequest(body: JsonObject): ApiRequest {
  const model = readModel(body);
  readMaxTokens(body);
  const stream = readStreamFlag(body);
  return { model, stream, body, ...readConversation(body) };
}

/**
 * POST /v1/messages/count_tokens: the same body without `max_tokens` and `stream`. Counting
 * uses no capability of the model, so nothing is required of it beyond chat.
 */
export function readAnthropicCountTokensRequest(body: JsonObject): ApiRequest {
  const model = readModel(body);
  readConversation(body);
  return { model, stream: false, body, usesTools: false, usesImages: false };
}
