import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { APIError, BadRequestError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FAKE_CACHE_CREATION_TOKENS,
  FAKE_CACHE_READ_TOKENS,
  FAKE_SIGNATURE,
  FAKE_THINKING,
  FakeAnthropicApi,
} from '../fakes/anthropic-api.js';
import { TestGateway } from '../support/gateway.js';
import { startProxyWithEnv } from '../support/gateway-env.js';
import { postStream } from '../support/http.js';

// The official OpenAI SDK against a model served by the Anthropic API (here the fake): requests
// are translated to the Messages API and answers back to chat completions. Anthropic-format
// requests to the same model pass through untranslated.

const KEY = 'sk-ant-fake-0123456789abcdefghijklmnop';
const gateway = new TestGateway();
let fake: FakeAnthropicApi;
let url: string;
let openai: OpenAI;

beforeAll(async () => {
  fake = await FakeAnthropicApi.start({ apiKey: KEY });
  await gateway.configure(`  claude:
    backend: anthropic
    url: ${fake.url}
    apiKey: "\${env:FAKE_ANTHROPIC_KEY}"
    allowPrivateNetwork: true
    upstreamModel: claude-sonnet-4-5
`);
  url = await startProxyWithEnv(gateway, { FAKE_ANTHROPIC_KEY: KEY });
  openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'any-key', maxRetries: 0 });
});
afterAll(async () => {
  await gateway.stop();
  await fake.close();
});

let seen = 0;
beforeEach(() => {
  seen = fake.requests.length;
});
/** The requests the fake received during this test. */
const received = () => fake.requests.slice(seen);

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      parameters: {
        type: 'object',
        properties: { zone: { type: 'string' }, hours: { type: 'integer' } },
        required: ['zone', 'hours'],
      },
    },
  },
];

describe('the OpenAI SDK against an Anthropic backend', () => {
  it('chat.completions.create: translated request with the gateway key, translated answer', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('claude');
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: expect.objectContaining({ role: 'assistant', content: 'You said: hello there' }),
        finish_reason: 'stop',
        logprobs: null,
      },
    ]);
    const input = 4; // "Be brief." + "hello there"
    expect(completion.usage).toMatchObject({
      prompt_tokens: input + FAKE_CACHE_CREATION_TOKENS + FAKE_CACHE_READ_TOKENS,
      completion_tokens: 4,
      prompt_tokens_details: { cached_tokens: FAKE_CACHE_READ_TOKENS },
    });

    const [request] = received();
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
      max_tokens: 4096,
    });
  });

  it('streams with include_usage: the stream helper assembles the message, the last chunk carries usage', async () => {
    const stream = openai.chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'stream this please' }],
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('You said: stream this please');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: 3 + FAKE_CACHE_CREATION_TOKENS + FAKE_CACHE_READ_TOKENS,
      completion_tokens: 5,
      total_tokens: 3 + FAKE_CACHE_CREATION_TOKENS + FAKE_CACHE_READ_TOKENS + 5,
    });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(received()[0]?.body?.['stream']).toBe(true);
  });

  it('two parallel tool_use blocks become two tool calls with their indexes and arguments', async () => {
    const stream = openai.chat.completions.stream({
      model: 'claude',
      messages: [{ role: 'user', content: 'weather and time?' }],
      tools,
      tool_choice: 'required',
    });
    const chunks: ChatCompletionChunk[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.map((call) => (call.type === 'function' ? call.function.name : ''))).toEqual([
      'get_weather',
      'get_time',
    ]);
    expect(
      calls.map((call) => (call.type === 'function' ? JSON.parse(call.function.arguments) : {})),
    ).toEqual([{ city: 'example-city' }, { zone: 'example-zone', hours: 1 }]);
    expect(calls.map((call) => call.id)).toEqual([
      expect.stringMatching(/^toolu_fake_/),
      expect.stringMatching(/^toolu_fake_/),
    ]);
    // Tool call indexes count tool calls (0, 1), and the arguments came in several deltas each.
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect([...new Set(deltas.map((delta) => delta.index))]).toEqual([0, 1]);
    expect(deltas.filter((delta) => delta.index === 1).length).toBeGreaterThan(2);
    expect(deltas.filter((delta) => delta.function?.name !== undefined)).toHaveLength(2);
    expect(received()[0]?.body?.['tool_choice']).toEqual({ type: 'any' });

    const plain = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'weather and time?' }],
      tools,
    });
    expect(plain.choices[0]?.message.tool_calls).toHaveLength(2);
  });

  it('merges every system and developer message into the system prompt', async () => {
    await openai.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Rule one.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'developer', content: 'Rule two.' },
        { role: 'system', content: [{ type: 'text', text: 'Rule three.' }] },
        { role: 'user', content: 'second question' },
      ],
    });
    expect(received()[0]?.body).toMatchObject({
      system: [
        { type: 'text', text: 'Rule one.' },
        { type: 'text', text: 'Rule two.' },
        { type: 'text', text: 'Rule three.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'first question' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
        { role: 'user', content: [{ type: 'text', text: 'second question' }] },
      ],
    });
  });

  it('carries Anthropic thinking back as reasoning_content and signed thinking_blocks', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'think about it' }],
      reasoning_effort: 'low',
    });
    expect(received()[0]?.body).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 4096 },
    });
    const message = completion.choices[0]?.message as unknown as Record<string, unknown>;
    expect(message['reasoning_content']).toBe(FAKE_THINKING);
    expect(message['thinking_blocks']).toEqual([
      { type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE },
    ]);
  });

  it('n: 2 is refused with a 400 naming the feature and the backend, before anything is sent', async () => {
    const failure = await openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'two please' }], n: 2 })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(BadRequestError);
    const err = failure as BadRequestError;
    expect(err.status).toBe(400);
    expect(err.code).toBe('unsupported_feature');
    expect(err.param).toBe('n');
    expect(err.message).toMatch(/backend anthropic/);
    expect(err.message).toMatch(/n greater than 1/);

    const embeddings = await openai.embeddings.create({ model: 'claude', input: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(embeddings).toBeInstanceOf(BadRequestError);
    expect((embeddings as BadRequestError).message).toMatch(/'claude'.*backend anthropic/);
    expect(received()).toEqual([]);
  });

  it('an upstream error event mid-stream ends the stream with an error event and [DONE]', async () => {
    fake.failNext({
      kind: 'stream-error',
      afterEvents: 4,
      type: 'overloaded_error',
      message: 'Overloaded',
    });
    const raw = await postStream(`${url}/v1/chat/completions`, {
      model: 'claude',
      messages: [{ role: 'user', content: 'this will break midway' }],
      stream: true,
    });
    expect(raw.status).toBe(200);
    expect(raw.events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(raw.events.at(-2) as string)).toEqual({
      error: { message: 'Overloaded', type: 'server_error', param: null, code: null },
    });
    expect(JSON.parse(raw.events[0] as string)).toMatchObject({
      choices: [{ delta: { role: 'assistant' } }],
    });

    fake.failNext({
      kind: 'stream-error',
      afterEvents: 5,
      type: 'api_error',
      message: 'Internal server error',
    });
    const stream = await openai.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'this will break midway' }],
      stream: true,
    });
    const failure = await (async () => {
      try {
        for await (const _chunk of stream) {
          // read until the error
        }
        return undefined;
      } catch (err) {
        return err;
      }
    })();
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Internal server error');
  });

  it('an upstream connection cut mid-stream ends with a stream_interrupted error and [DONE]', async () => {
    fake.failNext({ kind: 'cut', afterEvents: 4 });
    const raw = await postStream(`${url}/v1/chat/completions`, {
      model: 'claude',
      messages: [{ role: 'user', content: 'cut me off' }],
      stream: true,
    });
    expect(raw.events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(raw.events.at(-2) as string)).toMatchObject({
      error: { code: 'stream_interrupted', type: 'server_error' },
    });
  });

  it('an upstream 529 before any content is a 5xx error in the OpenAI format', async () => {
    fake.failNext({ kind: 'status', status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const failure = await openai.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(502);
    expect((failure as APIError).message).toContain(
      "model 'claude' failed upstream (HTTP 529): Overloaded",
    );
  });
});

describe('Anthropic-format requests to an Anthropic backend', () => {
  let anthropic: Anthropic;
  beforeAll(() => {
    anthropic = new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0 });
  });

  it('pass through untranslated: the upstream gets the client body with only the model replaced', async () => {
    const params = {
      model: 'claude',
      max_tokens: 256,
      system: [
        { type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } },
      ],
      messages: [{ role: 'user' as const, content: 'pass me through' }],
      metadata: { user_id: 'user-7' },
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [
        {
          name: 'get_weather',
          input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
          cache_control: { type: 'ephemeral' as const },
        },
      ],
      tool_choice: { type: 'none' as const },
    };
    const message = await anthropic.messages.create(params);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE },
      { type: 'text', text: 'You said: pass me through' },
    ]);
    expect(message.usage).toMatchObject({
      cache_read_input_tokens: FAKE_CACHE_READ_TOKENS,
      cache_creation_input_tokens: FAKE_CACHE_CREATION_TOKENS,
    });
    const [request] = received();
    expect(request?.path).toBe('/v1/messages');
    expect(request?.body).toEqual({ ...params, model: 'claude-sonnet-4-5' });
    expect(request?.headers['x-api-key']).toBe(KEY);
  });

  it('streams the upstream events as they are: the SDK assembles thinking, text and tool_use', async () => {
    const message = await anthropic.messages
      .stream({
        model: 'claude',
        max_tokens: 256,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'use the tool' }],
        tools: [
          {
            name: 'get_weather',
            input_schema: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: FAKE_THINKING, signature: FAKE_SIGNATURE },
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_fake_/),
        name: 'get_weather',
        input: { city: 'example-city' },
      },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(received()[0]?.body?.['stream']).toBe(true);
  });

  it('forwards count_tokens to the Anthropic API', async () => {
    const count = await anthropic.messages.countTokens({
      model: 'claude',
      messages: [{ role: 'user', content: 'one two three four' }],
    });
    expect(count.input_tokens).toBe(4);
    expect(received()[0]?.path).toBe('/v1/messages/count_tokens');
    expect(received()[0]?.body?.['model']).toBe('claude-sonnet-4-5');
  });
});
