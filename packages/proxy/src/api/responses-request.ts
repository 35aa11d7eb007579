import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { expectType, isJsonObject } from './json-fields.js';
import type { JsonObject } from './json-fields.js';
import type { ApiRequest } from './api-request.js';

/** A Responses API request after the proxy's checks; `body` is the request as sent. */
export type ResponsesApiRequest = ApiRequest;

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
  const stream = body['stream'];
  if (stream !== undefined && stream !== null) {
    expectType('stream', stream, 'a boolean', typeof stream === 'boolean');
  }
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
    stream: stream === true,
    body,
    usesTools: usesTools(tools),
    usesImages: usesImages(input),
  };
}
