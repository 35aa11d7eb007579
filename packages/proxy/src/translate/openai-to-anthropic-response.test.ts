import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  openAIToAnthropicResponse,
  type OpenAIToAnthropicResponseOptions,
} from './openai-to-anthropic-response.js';

interface Fixture {
  description: string;
  options: OpenAIToAnthropicResponseOptions;
  upstream: unknown;
  expected?: unknown;
  expectedError?: { code: string; messageIncludes: string };
}

const dir = new URL('./fixtures/openai-to-anthropic-response/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

describe('openAIToAnthropicResponse fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(5);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        openAIToAnthropicResponse(fixture.upstream, fixture.options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      expect((thrown as GatewayError).code).toBe(fixture.expectedError.code);
      expect((thrown as GatewayError).message).toContain(fixture.expectedError.messageIncludes);
      return;
    }
    expect(openAIToAnthropicResponse(fixture.upstream, fixture.options)).toStrictEqual(
      fixture.expected,
    );
  });
});
