import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  openAIToAnthropicRequest,
  type OpenAIToAnthropicRequestOptions,
} from './openai-to-anthropic-request.js';
import type { OpenAIChatRequest } from './types.js';

interface Fixture {
  description: string;
  request: OpenAIChatRequest;
  options: OpenAIToAnthropicRequestOptions;
  expected?: unknown;
  expectedError?: { code: string; param?: string; messageIncludes: string };
}

const dir = new URL('./fixtures/openai-to-anthropic-request/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

describe('openAIToAnthropicRequest fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        openAIToAnthropicRequest(fixture.request, fixture.options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      const error = thrown as GatewayError;
      expect(error.code).toBe(fixture.expectedError.code);
      expect(error.param).toBe(fixture.expectedError.param);
      expect(error.message).toContain(fixture.expectedError.messageIncludes);
      return;
    }
    expect(openAIToAnthropicRequest(fixture.request, fixture.options)).toStrictEqual(
      fixture.expected,
    );
  });
});
