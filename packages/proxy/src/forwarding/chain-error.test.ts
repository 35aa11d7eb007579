import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { chainError } from './chain-error.js';

describe('chainError', () => {
  it('keeps the error of a single target as it is', () => {
    const only = new GatewayError(ErrorCodes.UPSTREAM_TIMEOUT, 'too slow');
    expect(chainError([{ target: 'a', error: only }], only)).toBe(only);
  });

  it('names every attempt and its reason, with the status and code of the last', () => {
    const first = new GatewayError(ErrorCodes.MODEL_START_FAILED, 'mlx-openai-server not found');
    const last = new GatewayError(
      ErrorCodes.SECRET_NOT_FOUND,
      'environment variable OPENAI_API_KEY is not set',
    );
    const err = chainError(
      [
        { target: 'qwen', error: first },
        { target: 'gpt-4o', error: last },
      ],
      last,
    );
    expect(err.message).toBe(
      'every target of the fallback chain failed: 1. qwen: mlx-openai-server not found; ' +
        '2. gpt-4o: environment variable OPENAI_API_KEY is not set',
    );
    expect(err.code).toBe(ErrorCodes.SECRET_NOT_FOUND);
    expect(err.status).toBe(500);
    expect(err.details?.['attempts']).toEqual([
      { target: 'qwen', code: 'MODEL_START_FAILED', message: 'mlx-openai-server not found' },
      {
        target: 'gpt-4o',
        code: 'SECRET_NOT_FOUND',
        message: 'environment variable OPENAI_API_KEY is not set',
      },
    ]);
  });
});
