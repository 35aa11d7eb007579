import { ErrorCodes, ProtocolError } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { anthropicStreamErrorEvent, toAnthropicErrorBody } from './anthropic-error-body.js';
import { GatewayError } from './gateway-error.js';
import { openAIStreamErrorEvent, toOpenAIErrorBody } from './openai-error-body.js';

const notFound = new GatewayError(
  ErrorCodes.MODEL_NOT_FOUND,
  "model 'qwen' is not configured; did you mean 'qwen-7b'?",
  { param: 'model' },
);

describe('toOpenAIErrorBody', () => {
  it('builds the OpenAI shape with the lower-cased stable code', () => {
    expect(toOpenAIErrorBody(notFound)).toEqual({
      error: {
        message: "model 'qwen' is not configured; did you mean 'qwen-7b'?",
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('sends param null when the error names no parameter', () => {
    const body = toOpenAIErrorBody(new GatewayError(ErrorCodes.UPSTREAM_RATE_LIMITED, 'slow down'));
    expect(body.error).toEqual({
      message: 'slow down',
      type: 'rate_limit_error',
      param: null,
      code: 'upstream_rate_limited',
    });
  });

  it('derives the type from an overridden status (an upstream 400 passed on)', () => {
    const err = new GatewayError(ErrorCodes.UPSTREAM_ERROR, 'bad tool schema', { status: 400 });
    expect(toOpenAIErrorBody(err).error.type).toBe('invalid_request_error');
  });

  it.each(Object.values(ErrorCodes))('gives %s a body with a type and its code', (code) => {
    const body = toOpenAIErrorBody(new GatewayError(code, 'x'));
    expect(body.error.code).toBe(code.toLowerCase());
    expect(body.error.type).toMatch(/_error$/);
  });

  it('hides the message of an unexpected error', () => {
    const body = toOpenAIErrorBody(new Error('ECONNRESET at /Users/me/secret/path.js:12'));
    expect(body.error.code).toBe('internal');
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).not.toContain('secret');
  });
});

describe('toAnthropicErrorBody', () => {
  it('builds the Anthropic shape', () => {
    expect(toAnthropicErrorBody(notFound)).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: "model 'qwen' is not configured; did you mean 'qwen-7b'?",
      },
    });
  });

  it('adds the request id when given', () => {
    const body = toAnthropicErrorBody(new GatewayError(ErrorCodes.BODY_TOO_LARGE, 'too big'), {
      requestId: 'req_1',
    });
    expect(body).toEqual({
      type: 'error',
      error: { type: 'request_too_large', message: 'too big' },
      request_id: 'req_1',
    });
  });

  it.each(Object.values(ErrorCodes))('gives %s an Anthropic error type', (code) => {
    const body = toAnthropicErrorBody(new GatewayError(code, 'x'));
    expect([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'timeout_error',
      'overloaded_error',
    ]).toContain(body.error.type);
  });

  it('maps a ProtocolError from the supervisor by its code', () => {
    const body = toAnthropicErrorBody(
      new ProtocolError('CAPACITY_EXHAUSTED', 'all 2 model slots are busy'),
    );
    expect(body.error).toEqual({
      type: 'overloaded_error',
      message: 'all 2 model slots are busy',
    });
  });
});

describe('stream error events', () => {
  it('ends an OpenAI stream with a data event holding the error body', () => {
    const event = openAIStreamErrorEvent(
      new GatewayError(ErrorCodes.STREAM_INTERRUPTED, 'upstream closed mid-stream'),
    );
    expect(event.startsWith('data: ')).toBe(true);
    expect(event.endsWith('\n\n')).toBe(true);
    expect(event.slice(0, -2).split('\n')).toHaveLength(1);
    expect(JSON.parse(event.slice('data: '.length))).toEqual({
      error: {
        message: 'upstream closed mid-stream',
        type: 'server_error',
        param: null,
        code: 'stream_interrupted',
      },
    });
  });

  it('ends an Anthropic stream with an error event', () => {
    const event = anthropicStreamErrorEvent(
      new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, 'no data for 5m'),
    );
    const [eventLine, dataLine, ...rest] = event.split('\n');
    expect(eventLine).toBe('event: error');
    expect(rest).toEqual(['', '']);
    expect(JSON.parse((dataLine ?? '').slice('data: '.length))).toEqual({
      type: 'error',
      error: { type: 'timeout_error', message: 'no data for 5m' },
    });
  });
});
