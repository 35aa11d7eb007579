import { ErrorCodes, ProtocolError } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { errorFrom, INTERNAL_MESSAGE } from './error-from.js';
import { GatewayError } from './gateway-error.js';

describe('GatewayError', () => {
  it('carries code, status from the table, param, details and cause', () => {
    const cause = new Error('low level');
    const err = new GatewayError(ErrorCodes.MISSING_MODEL, 'the request names no model', {
      param: 'model',
      details: { route: '/v1/chat/completions' },
      cause,
    });
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('GatewayError');
    expect(err.code).toBe('MISSING_MODEL');
    expect(err.status).toBe(400);
    expect(err.param).toBe('model');
    expect(err.details).toEqual({ route: '/v1/chat/completions' });
    expect(err.cause).toBe(cause);
  });

  it('lets a caller override the status', () => {
    expect(new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'x', { status: 422 }).status).toBe(422);
  });
});

describe('errorFrom', () => {
  it('returns a GatewayError unchanged', () => {
    const err = new GatewayError(ErrorCodes.FORBIDDEN, 'no');
    expect(errorFrom(err)).toBe(err);
  });

  it('keeps the code, message and details of a ProtocolError', () => {
    const protocolError = new ProtocolError('MODEL_START_TIMEOUT', 'qwen did not start in 5m', {
      model: 'qwen',
    });
    const err = errorFrom(protocolError);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('MODEL_START_TIMEOUT');
    expect(err.status).toBe(504);
    expect(err.message).toBe('qwen did not start in 5m');
    expect(err.details).toEqual({ model: 'qwen' });
    expect(err.cause).toBe(protocolError);
  });

  it('turns a ProtocolError with an unknown code into INTERNAL, keeping the original code', () => {
    const err = errorFrom(new ProtocolError('FROM_THE_FUTURE', 'newer supervisor says no'));
    expect(err.code).toBe('INTERNAL');
    expect(err.status).toBe(500);
    expect(err.message).toBe('newer supervisor says no');
    expect(err.details).toEqual({ originalCode: 'FROM_THE_FUTURE' });
  });

  it.each([
    new Error('boom with /private/path and a stack'),
    new TypeError('x is undefined'),
    'a thrown string',
    { code: 'MODEL_NOT_FOUND', message: 'plain object' },
    undefined,
    null,
  ])('wraps %j as INTERNAL with a generic message', (thrown) => {
    const err = errorFrom(thrown);
    expect(err.code).toBe('INTERNAL');
    expect(err.status).toBe(500);
    expect(err.message).toBe(INTERNAL_MESSAGE);
    expect(err.cause).toBe(thrown);
  });
});
