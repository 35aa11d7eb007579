import OpenAI, { NotFoundError } from 'openai';
import type { FunctionTool, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { configureSections, startProxyWithEnv } from '../support/routing-gateway.js';

// The official OpenAI SDK's Responses API against remote backends: the Anthropic API (the fake),
// reached by composing the Responses<->chat translation with the chat<->Messages one; an
// OpenAI-compatible API, which gets chat completions; and OpenAI's own API, which speaks the
// Responses API and gets the request passed through.

const ANTHROPIC_KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
const CLOUD_KEY = 'sk-fake-cloud-0123456789abcdef';
const gateway = new TestGateway();
let anthropic: FakeAnthropicApi;
let cloud: FakeOpenAICloud;
let client: OpenAI;

beforeAll(async () => {
  anthropic = await FakeAnthropicApi.start({ apiKey: ANTHROPIC_KEY });
  cloud = await FakeOpenAICloud.start({ apiKey: CLOUD_KEY });
  const remote = (backend: string, url: string, key: string, upstream: string): string =>
    `    backend: ${backend}\n    url: ${url}\n    apiKey: "\${env:${key}}"\n    allowPrivateNetwork: true\n    upstreamModel: ${upstream}\n`;
  await configureSections(
    gateway,
    `models:
  claude:
${remote('anthropic', anthropic.url, 'ANTHROPIC_KEY', 'claude-sonnet-4-5')}  compatible:
${remote('openai-compatible', cloud.baseUrl, 'CLOUD_KEY', 'compat-model')}  gpt:
${remote('openai', cloud.baseUrl, 'CLOUD_KEY', 'gpt-5')}`,
  );
  const url = await startProxyWithEnv(gateway, {
    ANTHROPIC_KEY: ANTHROPIC_KEY,
    CLOUD_KEY: CLOUD_KEY,
  });
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'any-key', maxRetries: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await anthropic.close();
  await cloud.close();
});

let seenAnthropic = 0;
let seenCloud = 0;
beforeEach(() => {
  seenAnthropic = anthropic.requests.length;
  seenCloud = cloud.requests.length;
});
const toAnthropic = () => anthropic.requests.slice(seenAnthropic);
const toCloud = () => cloud.requests.slice(seenCloud);

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('the OpenAI SDK Responses API against the Anthropic backend', () => {
  it('responses.create: instructions become the system prompt, the answer a response', async () => {
    const response = await client.responses.create({
      model: 'claude',
      instructions: 'Be brief.',
      input: 'hello there',
      max_output_tokens: 100,
    });
    expect(response.output_text).toBe('You said: hello there');
    expect(response.status).toBe('completed');
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    const [sent] = toAnthropic();
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
      max_tokens: 100,
    });
  });

  it('responses.stream: the typed events and finalResponse', async () => {
    const stream = client.responses.stream({ model: 'claude', input: 'stream this please' });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('You said: stream this please');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)?.type).toBe('response.completed');
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(text.join('')).toBe('You said: stream this please');
  });

  it('a function-calling round trip, continued with previous_response_id', async () => {
    const first = await client.responses.create({
      model: 'claude',
      input: 'weather in Oslo?',
      tools: [weather],
      parallel_tool_calls: false,
    });
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(1);
    const call = calls[0];
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(call.name).toBe('get_weather');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'example-city' });

    const second = await client.responses.create({
      model: 'claude',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'cold, -3 C' }],
      tools: [weather],
    });
    expect(second.output_text).toBe('Tool said: cold, -3 C');
    const [, continued] = toAnthropic();
    expect(continued?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather in Oslo?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: call.call_id, name: 'get_weather' }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call.call_id, content: 'cold, -3 C' }],
        },
      ],
    });
  });
});

describe('the Responses API against OpenAI-speaking remote backends', () => {
  it('an OpenAI-compatible backend gets a chat completion request', async () => {
    const response = await client.responses.create({ model: 'compatible', input: 'hi' });
    expect(response.output_text).toBe('Hello from the fake cloud, model compat-model');
    const [sent] = toCloud();
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.body).toMatchObject({
      model: 'compat-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it("OpenAI's own API gets the request passed through to /v1/responses", async () => {
    const body = {
      model: 'gpt',
      input: [
        { role: 'developer' as const, content: 'Be brief.' },
        { role: 'user' as const, content: 'hi' },
      ],
      store: false,
      include: ['reasoning.encrypted_content' as const],
      tools: [{ type: 'web_search_preview' as const }],
    };
    // The fake cloud has no Responses API: its 404 comes back to the client as OpenAI's.
    await expect(client.responses.create(body)).rejects.toBeInstanceOf(NotFoundError);
    const [sent] = toCloud();
    expect(sent?.path).toBe('/v1/responses');
    expect(sent?.authorized).toBe(true);
    expect(sent?.body).toEqual({ ...body, model: 'gpt-5' });
  });
});
