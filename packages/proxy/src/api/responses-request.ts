import { expectType, isJsonObject, readModel, readStreamFlag } from './json-fields.js';
import type { JsonObject } from './json-fields.js';
import type { ApiRequest } from './api-request.js';

/** A Responses API request after the proxy's checks; `body` is the request as sent. */
export type ResponsesApiRequest = ApiRequest;

function usesImages(input: unknown): boolean {
  if (!Array.isArray(input)) return false;
  return input.some(
    (item) =>
      isJsonObject(item) &&
      Array.isArray(item['content']) &&
      (item['content'] as unknown[]).some((p) => isJsonObject(p) && p['type'] === 'input_image'),
  );
}

function usesTools(tools: unknown): boolean {
  return (
    Array.isArray(tools) &&
    tools.some((t) => isJsonObject(t) && (t['type'] === 'function' || t['type'] === 'namespace'))
  );
}

/**
 * POST /v1/responses: the shape checks every backend needs (model, stream, input, tools);
 * the rest is the translator's business, or the OpenAI backend's when passed through.
 */
export function readResponsesRequest(body: JsonObject): ResponsesApiRequest {
  const model = readModel(body);
  const stream = readStreamFlag(body);
  const input = body['input'];
  if (input !== undefined && input !== null) {
    expectType(
      'input',
      input,
      'a string or an array of items',
      typeof input === 'string' || Array.isArray(input),
    );
  }
  const tools = body['tools'];
  if (tools !== undefined && tools !== null) {
    expectType('tools', tools, 'an array', Array.isArray(tools));
  }
  const previous = body['previous_response_id'];
  if (previous !== undefined && previous !== null) {
    expectType('previous_response_id', previous, 'a string', typeof previous === 'string');
  }
  return {
    model,
    stream,
    body,
    usesTools: usesTools(tools),
    usesImages: usesImages(input),
  };
}
