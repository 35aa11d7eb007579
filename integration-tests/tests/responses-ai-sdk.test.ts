import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeAnthropicApi } from '../fakes/anthropic-api.js';
import { TestGateway } from '../support/gateway.js';
import { startProxyWithEnv } from '../support/gateway-env.js';
import { standinModel } from '../support/processes.js';

// The Vercel AI SDK's default OpenAI provider (`openai(model)` speaks the Responses API) pointed
// at the gateway: text, streamed text and a multi-step tool loop, against a local model (the
// stand-in) and the Anthropic backend (the fake API).

const KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
const gateway = new TestGateway();
let fake: FakeAnthropicApi;
let openai: ReturnType<typeof createOpenAI>;
/** What the SDK sent and the fields the gateway said it dropped, per request. */
const exchanges: { body: { input?: unknown[] }; dropped: string | null }[] = [];

beforeAll(async () => {
  fake = await FakeAnthropicApi.start({ apiKey: KEY });
  await gateway.configure(
    [
      standinModel('tiny', { MLX_STANDIN_LOAD_MS: 100 }),
      `  claude:
    backend: anthropic
    url: ${fake.url}
    apiKey: "\${env:FAKE_ANTHROPIC_KEY}"
    allowPrivateNetwork: true
    upstreamModel: claude-sonnet-4-5
`,
    ].join(''),
  );
  await gateway.startSupervisor();
  const url = await startProxyWithEnv(gateway, { FAKE_ANTHROPIC_KEY: KEY });
  openai = createOpenAI({
    baseURL: `${url}/v1`,
    apiKey: 'any-key',
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      exchanges.push({
        body: JSON.parse(String(init?.body)) as { input?: unknown[] },
        dropped: response.headers.get('x-mlx-gateway-dropped-fields'),
      });
      return response;
    },
  });
});
afterAll(async () => {
  await gateway.stop();
  await fake.close();
});

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
});

describe.each([
  ['a local model', 'tiny', 'hello gateway world', 'hello gateway world'],
  ['the Anthropic backend', 'claude', 'hello gateway world', 'You said: hello gateway world'],
])('the AI SDK against %s', (_label, model, prompt, answer) => {
  it('generateText', async () => {
    const result = await generateText({
      model: openai(model),
      prompt,
      maxOutputTokens: 3,
      maxRetries: 0,
    });
    expect(result.text).toBe(
      answer
        .split(' ')
        .slice(0, model === 'tiny' ? 3 : undefined)
        .join(' '),
    );
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streamText', async () => {
    const result = streamText({ model: openai(model), prompt, maxOutputTokens: 3, maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.join('')).toBe(await result.text);
    expect(await result.finishReason).toMatch(/^(stop|length)$/);
  });

  it('a tool loop: the model calls the tool, the SDK runs it, the answer uses the result', async () => {
    const before = exchanges.length;
    const result = await generateText({
      model: openai(model),
      prompt: 'What is the weather in Oslo?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const calls = result.steps.flatMap((step) => step.toolCalls);
    expect(calls.map((call) => call.toolName)).toContain('get_weather');
    expect(result.text).toMatch(/^Tool said: sunny in example/);
    // The second request carries the call and its output as items the gateway translated
    // (nothing of the conversation dropped).
    const second = exchanges[before + 1];
    const types = (second?.body.input ?? []).map((item) => (item as { type?: string }).type);
    expect(types).toEqual(expect.arrayContaining(['function_call', 'function_call_output']));
    expect(second?.dropped ?? '').not.toContain('input[');
  });
});
