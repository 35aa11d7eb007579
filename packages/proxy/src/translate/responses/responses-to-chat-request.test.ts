import { readdirSync, readFileSync } from 'node:fs';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import { readResponsesRequest } from '../../api/responses-request.js';
import {
  responsesToChatRequest,
  type ResponsesToChatOptions,
} from './responses-to-chat-request.js';
import type { ResponsesRequest } from './types.js';

/**
 * `request` is a Responses request, or `{ "$recording": "<file>" }`: the body of a request a
 * real client sent, recorded in fixtures/responses-codex-recordings/.
 */
interface Fixture {
  description: string;
  request: ResponsesRequest | { $recording: string };
  options: ResponsesToChatOptions;
  expected?: { body: unknown; namespaces: Record<string, string>; dropped: string[] };
  expectedError?: { code: string; param?: string; messageIncludes: string };
}

const fixturesDir = new URL('../fixtures/', import.meta.url);
const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(path, fixturesDir), 'utf8'));
const fixtures = readdirSync(new URL('responses-to-chat-request/', fixturesDir))
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name, read(`responses-to-chat-request/${name}`) as Fixture] as const);

function requestOf(fixture: Fixture): ResponsesRequest {
  const { request } = fixture;
  if ('$recording' in request && typeof request.$recording === 'string') {
    return (read(`responses-codex-recordings/${request.$recording}`) as { body: ResponsesRequest })
      .body;
  }
  return request as ResponsesRequest;
}

describe('responsesToChatRequest fixtures', () => {
  it('finds the fixtures, recorded ones included', () => {
    expect(fixtures.length).toBeGreaterThan(15);
    expect(fixtures.filter(([name]) => name.startsWith('codex-')).length).toBeGreaterThan(2);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    const request = requestOf(fixture);
    if (fixture.expectedError) {
      let thrown: unknown;
      try {
        responsesToChatRequest(request, fixture.options);
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
    const out = responsesToChatRequest(request, fixture.options);
    expect({
      body: out.body,
      namespaces: Object.fromEntries(out.namespaces),
      dropped: out.dropped,
    }).toStrictEqual(fixture.expected);
  });
});

describe('recorded Codex requests', () => {
  const recordings = readdirSync(new URL('responses-codex-recordings/', fixturesDir)).filter(
    (name) => name.endsWith('.json'),
  );

  it.each(recordings)('%s passes the route checks and keeps every function tool', (name) => {
    const recorded = read(`responses-codex-recordings/${name}`) as {
      body: ResponsesRequest & { tools: { type: string; name: string; tools?: unknown[] }[] };
    };
    const checked = readResponsesRequest(recorded.body);
    expect(checked).toMatchObject({ stream: true, usesTools: true, usesImages: false });
    const out = responsesToChatRequest(recorded.body, {
      upstreamModel: 'm',
      maxTokensField: 'max_tokens',
    });
    const functions = recorded.body.tools.flatMap((tool) =>
      tool.type === 'function'
        ? [tool.name]
        : tool.type === 'namespace'
          ? (tool.tools as { name: string }[]).map((inner) => inner.name)
          : [],
    );
    expect(out.body.tools?.map((tool) => tool.function.name)).toEqual(functions);
    expect(out.body.messages[0]?.role).toBe('system');
    expect(out.body.messages.filter((m) => m.role === 'system')).toHaveLength(1);
  });
});
