import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  anthropicToOpenAIResponse,
  type AnthropicToOpenAIResponseOptions,
} from './anthropic-to-openai-response.js';

interface Fixture {
  description: string;
  options: AnthropicToOpenAIResponseOptions;
  upstream: unknown;
  expected?: unknown;
  expectedError?: { code: string; messageIncludes: string };
}

const dir = new URL('./fixtures/anthropic-to-openai-response/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

describe('anthropicToOpenAIResponse fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(5);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        anthropicToOpenAIResponse(fixture.upstream, fixture.options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      expect((thrown as GatewayError).code).toBe(fixture.expectedError.code);
      expect((thrown as GatewayError).message).toContain(fixture.expectedError.messageIncludes);
      return;
    }
    expect(anthropicToOpenAIResponse(fixture.upstream, fixture.options)).toStrictEqual(
      fixture.expected,
    );
  });
});
