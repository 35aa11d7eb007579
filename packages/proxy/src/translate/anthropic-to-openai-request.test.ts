import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  anthropicToOpenAIRequest,
  type AnthropicToOpenAIRequestOptions,
} from './anthropic-to-openai-request.js';
import { droppedAnthropicFields } from './dropped-fields.js';
import type { AnthropicMessagesRequest } from './types.js';

interface Fixture {
  description: string;
  request: AnthropicMessagesRequest;
  options: AnthropicToOpenAIRequestOptions;
  expected?: unknown;
  expectedError?: { code: string; param?: string; messageIncludes: string };
  /** What `droppedAnthropicFields` names for the request (checked when given). */
  dropped?: string[];
}

const dir = new URL('./fixtures/anthropic-to-openai-request/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

describe('anthropicToOpenAIRequest fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        anthropicToOpenAIRequest(fixture.request, fixture.options);
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
    expect(anthropicToOpenAIRequest(fixture.request, fixture.options)).toStrictEqual(
      fixture.expected,
    );
    if (fixture.dropped)
      expect(droppedAnthropicFields(fixture.request)).toStrictEqual(fixture.dropped);
  });
});
