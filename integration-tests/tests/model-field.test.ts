import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson, postStream } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';

/**
 * Issue 18 item 6: the `model` of every answer is the name the client asked for, whatever
 * backend served it and whether it was relayed or translated (docs/proxy.md, "The model field").
 */
const OPENAI_KEY = 'sk-fake-model-field-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-fake-model-field-0123456789abcdef';

const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let anthropic: FakeAnthropicApi;
let url = '';

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: OPENAI_KEY });
  anthropic = await FakeAnthropicApi.start({ apiKey: ANTHROPIC_KEY });
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', cloud.baseUrl, 'FIELD_OPENAI_KEY')}
models:
  gpt: { provider: cloud, upstreamModel: gpt-4o-2024-08-06, aliases: [gpt-alias] }
  claude:
    backend: anthropic
    url: ${anthropic.url}
    apiKey: "\${env:FIELD_ANTHROPIC_KEY}"
    allowPrivateNetwork: true
    upstreamModel: claude-sonnet-4-5
${standinModel('qwen', {}, '    aliases: [qwen-alias]\n')}`,
  );
  await gateway.startSupervisor();
  url = await startProxyWithEnv(gateway, {
    FIELD_OPENAI_KEY: OPENAI_KEY,
    FIELD_ANTHROPIC_KEY: ANTHROPIC_KEY,
  });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
  await anthropic?.close();
});

const chat = (model: string, stream = false) => ({
  model,
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hello' }],
  ...(stream ? { stream: true } : {}),
});

/** Every `model` member anywhere in the streamed events. */
function streamedModels(events: string[]): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, member] of Object.entries(value)) {
      if (key === 'model' && typeof member === 'string') found.push(member);
      else visit(member);
    }
  };
  for (const data of events) if (data !== '[DONE]') visit(JSON.parse(data));
  return found;
}

describe('the model field is the name the client asked for', () => {
  it.each([
    ['/v1/chat/completions', 'gpt', 'OpenAI-compatible, relayed'],
    ['/v1/chat/completions', 'gpt-alias', 'an alias, relayed'],
    ['/v1/chat/completions', 'claude', 'Anthropic, translated'],
    ['/v1/chat/completions', 'qwen-alias', 'a local model, relayed'],
    ['/v1/messages', 'claude', 'Anthropic, relayed'],
    ['/v1/messages', 'qwen', 'a local model, translated'],
    ['/v1/messages', 'gpt', 'OpenAI-compatible, translated'],
  ])('%s for %s (%s), whole and streamed', async (path, model) => {
    const res = await postJson(`${url}${path}`, chat(model));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.model).toBe(model);

    const stream = await postStream(`${url}${path}`, chat(model, true));
    expect(stream.status).toBe(200);
    const models = streamedModels(stream.events);
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set([model]));
  });

  it('on /v1/responses too', async () => {
    const res = await postJson(`${url}/v1/responses`, { model: 'gpt-alias', input: 'hello' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.model).toBe('gpt-alias');
    const stream = await postStream(`${url}/v1/responses`, {
      model: 'qwen',
      input: 'hello',
      stream: true,
    });
    expect(stream.status).toBe(200);
    expect(new Set(streamedModels(stream.events))).toEqual(new Set(['qwen']));
  });
});
