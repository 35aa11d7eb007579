import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { describeJson } from './json-fields.js';
import type { JsonObject } from './json-fields.js';
import { checkJsonBody } from './json-body-guard.js';

/**
 * Parses a request body that must be one JSON object; anything else is a 400, and so is
 * nesting deeper than `maxDepth` or a top-level key sent twice (checkJsonBody, before parsing).
 */
export function parseJsonObject(body: Buffer, maxDepth?: number): JsonObject {
  checkJsonBody(body, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message}` : '';
    throw new GatewayError(
      ErrorCodes.INVALID_JSON,
      body.length === 0
        ? 'request body is empty; send a JSON object'
        : `request body is not valid JSON${detail}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      `request body must be a JSON object, got ${describeJson(value)}`,
    );
  }
  return value as JsonObject;
}
