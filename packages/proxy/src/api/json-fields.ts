import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';

/**
 * The field readers both request readers (OpenAI's and Anthropic's) use: each failure a 400
 * naming the field (`param`) and saying what it must be and what it was.
 */

export type JsonObject = Record<string, unknown>;

/** The JSON type of a value, for error messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The 400 for a field that is not what the API expects. */
export function invalid(param: string, message: string): GatewayError {
  return new GatewayError(ErrorCodes.INVALID_REQUEST, message, { param });
}

/** Throws the 400 for `param` unless `ok`: "'param' must be <expected>, got <what it is>". */
export function expectType(param: string, value: unknown, expected: string, ok: boolean): void {
  if (!ok) throw invalid(param, `'${param}' must be ${expected}, got ${describeJson(value)}`);
}

/** `model`: a non-empty string (MISSING_MODEL when absent or empty). */
export function readModel(body: JsonObject): string {
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

/** `stream`: a boolean; absent or null means false. */
export function readStreamFlag(body: JsonObject): boolean {
  const stream = body['stream'];
  if (stream === undefined || stream === null) return false;
  expectType('stream', stream, 'a boolean', typeof stream === 'boolean');
  return stream as boolean;
}

/** Each of `fields` that is present (not null) must be a number. */
export function expectNumbers(body: JsonObject, fields: readonly string[]): void {
  for (const field of fields) {
    const value = body[field];
    if (value !== undefined && value !== null) {
      expectType(field, value, 'a number', typeof value === 'number');
    }
  }
}
