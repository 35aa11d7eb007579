import { describe, expect, it } from 'vitest';
import { chatCompletionsEndpoint, embeddingsEndpoint } from '../api/openai-endpoints.js';
import { chatOnly, localModel } from '../testing/test-config.js';
import type { BackendRequest } from './backend.js';
import { openAIUpstreamBody } from './upstream-body.js';

function req(body: Record<string, unknown>, over: Partial<BackendRequest> = {}): BackendRequest {
  const model = localModel('m');
  return {
    target: { name: 'm', model, upstreamModel: 'm' },
    endpoint: chatCompletionsEndpoint,
    request: {
      model: body.model as string,
      stream: body.stream === true,
      body,
      usesTools: false,
      usesImages: false,
    },
    rawBody: Buffer.from(JSON.stringify(body)),
    clientHeaders: {},
    reqId: 'r1',
    askUsage: true,
    ...over,
  };
}

const parsed = (body: Buffer | string): unknown => JSON.parse(body.toString());

describe('openAIUpstreamBody', () => {
  it('asks a stream for its usage in the client bytes, without reserialising them', () => {
    const out = openAIUpstreamBody(req({ model: 'm', stream: true, messages: [] }));
    expect(out.usageInjected).toBe(true);
    expect(parsed(out.body)).toEqual({
      stream_options: { include_usage: true },
      model: 'm',
      stream: true,
      messages: [],
    });
  });

  it('keeps stream_options the client set, adding include_usage, and replaces the model', () => {
    const body = { model: 'alias', stream: true, stream_options: { other: 1 }, messages: [] };
    const out = openAIUpstreamBody(req(body));
    expect(out.usageInjected).toBe(true);
    expect(parsed(out.body)).toEqual({
      ...body,
      model: 'm',
      stream_options: { other: 1, include_usage: true },
    });
  });

  it('leaves the body as sent when the client asked, for non-streams, embeddings, models without streamingUsage, or audit off', () => {
    const asked = { model: 'm', stream: true, stream_options: { include_usage: true } };
    const cases: BackendRequest[] = [
      req(asked),
      req({ model: 'm', stream: false }),
      req({ model: 'm', stream: true }, { endpoint: embeddingsEndpoint }),
      req({ model: 'm', stream: true }, { askUsage: false }),
    ];
    const noUsage = req({ model: 'm', stream: true });
    noUsage.target = {
      ...noUsage.target,
      model: localModel('m', { capabilities: { ...chatOnly, streamingUsage: false } }),
    };
    cases.push(noUsage);
    for (const r of cases) {
      const out = openAIUpstreamBody(r);
      expect(out.usageInjected).toBe(false);
      expect(out.body).toBe(r.rawBody);
    }
  });
});
