import { ErrorCodes } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { anthropicTypeFor, httpStatusFor, isErrorCode, openAITypeFor } from './error-table.js';

describe('httpStatusFor', () => {
  it.each(Object.values(ErrorCodes))('maps %s to an HTTP error status', (code) => {
    const status = httpStatusFor(code);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
  });

  it.each([
    ['MODEL_NOT_FOUND', 404],
    ['MISSING_MODEL', 400],
    ['INVALID_JSON', 400],
    ['INVALID_REQUEST', 400],
    ['UNSUPPORTED_FEATURE', 400],
    ['BODY_TOO_LARGE', 413],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['METHOD_NOT_ALLOWED', 405],
    ['CAPACITY_EXHAUSTED', 503],
    ['MODEL_START_FAILED', 503],
    ['MODEL_START_TIMEOUT', 504],
    ['MODEL_BACKOFF', 503],
    ['UPSTREAM_TIMEOUT', 504],
    ['UPSTREAM_UNREACHABLE', 502],
    ['UPSTREAM_RATE_LIMITED', 429],
    ['UPSTREAM_ERROR', 502],
    ['UPSTREAM_AUTH', 502],
    ['SUPERVISOR_UNAVAILABLE', 503],
    ['INTERNAL', 500],
  ])('maps %s to %d', (code, status) => {
    expect(httpStatusFor(code)).toBe(status);
  });

  it('answers 500 for a code this build does not know', () => {
    expect(httpStatusFor('SOMETHING_NEWER')).toBe(500);
    expect(isErrorCode('SOMETHING_NEWER')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('MODEL_NOT_FOUND')).toBe(true);
  });
});

describe('error types by status', () => {
  it('follows OpenAI type names', () => {
    expect(openAITypeFor(400)).toBe('invalid_request_error');
    expect(openAITypeFor(401)).toBe('authentication_error');
    expect(openAITypeFor(403)).toBe('permission_error');
    expect(openAITypeFor(404)).toBe('not_found_error');
    expect(openAITypeFor(413)).toBe('invalid_request_error');
    expect(openAITypeFor(429)).toBe('rate_limit_error');
    expect(openAITypeFor(502)).toBe('server_error');
  });

  it('follows Anthropic type names, with overloaded_error for exhausted capacity', () => {
    expect(anthropicTypeFor('INVALID_REQUEST', 400)).toBe('invalid_request_error');
    expect(anthropicTypeFor('UNAUTHORIZED', 401)).toBe('authentication_error');
    expect(anthropicTypeFor('FORBIDDEN', 403)).toBe('permission_error');
    expect(anthropicTypeFor('MODEL_NOT_FOUND', 404)).toBe('not_found_error');
    expect(anthropicTypeFor('BODY_TOO_LARGE', 413)).toBe('request_too_large');
    expect(anthropicTypeFor('UPSTREAM_RATE_LIMITED', 429)).toBe('rate_limit_error');
    expect(anthropicTypeFor('UPSTREAM_TIMEOUT', 504)).toBe('timeout_error');
    expect(anthropicTypeFor('UPSTREAM_ERROR', 529)).toBe('overloaded_error');
    expect(anthropicTypeFor('CAPACITY_EXHAUSTED', 503)).toBe('overloaded_error');
    expect(anthropicTypeFor('MODEL_START_FAILED', 503)).toBe('api_error');
  });
});
