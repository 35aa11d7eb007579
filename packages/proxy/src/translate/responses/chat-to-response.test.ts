import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../../testing/load-fixtures.js';
import { chatToResponse } from './chat-to-response.js';
import { contextOf, type FixtureContext } from '../../testing/responses-fixture-context.js';

interface Fixture {
  description: string;
  context: FixtureContext;
  completion: unknown;
  expected?: unknown;
  expectedError?: { code: string; messageIncludes: string };
}

const dir = new URL('../fixtures/responses-from-chat-response/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

describe('chatToResponse fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(4);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    const context = contextOf(fixture.context);
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        chatToResponse(fixture.completion, context);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GatewayError);
      expect((thrown as GatewayError).code).toBe(fixture.expectedError.code);
      expect((thrown as GatewayError).message).toContain(fixture.expectedError.messageIncludes);
      return;
    }
    expect(chatToResponse(fixture.completion, context)).toStrictEqual(fixture.expected);
  });
});
