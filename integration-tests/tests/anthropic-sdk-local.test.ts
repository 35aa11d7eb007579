import Anthropic, { NotFoundError } from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { standinModel } from '../support/processes.js';

// The official Anthropic SDK, pointed at the gateway, talking to local models run by the real
// supervisor (the stand-in for mlx-openai-server): every request is translated to a chat
// completion and every answer back to an Anthropic message or event stream.

const gateway = new TestGateway();
let client: Anthropic;

beforeAll(async () => {
  await gateway.configure(
    [
      standinModel('tiny', { MLX_STANDIN_LOAD_MS: 200 }),
      standinModel('thinker', { MLX_STANDIN_LOAD_MS: 200, MLX_STANDIN_REASONING: 1 }),
    ].join(''),
  );
  await gateway.startSupervisor();
  const url = await gateway.startProxy();
  client = new Anthropic({ baseURL: url, apiKey: 'any-key', maxRetries: 0 });
});
afterAll(() => gateway.stop());

const weather: Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city', 'days'],
  },
};
const clock: Tool = {
  name: 'get_time',
  input_schema: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
};

describe('the Anthropic SDK against a local model', () => {
  it('messages.create answers a message', async () => {
    const message = await client.messages.create({
      model: 'tiny',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hello gateway world' }],
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('tiny');
    expect(message.content).toEqual([{ type: 'text', text: 'hello gateway world hello gateway' }]);
    // The stand-in stops at max_tokens with finish_reason "length".
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(5);
  });

  it('messages.stream assembles the final message from the streamed events', async () => {
    const stream = client.messages.stream({
      model: 'tiny',
      max_tokens: 6,
      messages: [{ role: 'user', content: 'streams arrive word by word' }],
    });
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([
      { type: 'text', text: 'streams arrive word by word streams' },
    ]);
    expect(deltas).toEqual(['streams', ' arrive', ' word', ' by', ' word', ' streams']);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(6);
  });

  it('a tool-use turn assembles tool_use blocks with parsed input, and a tool_result turn gets text', async () => {
    const question = { role: 'user' as const, content: 'What is the weather in Paris?' };
    const stream = client.messages.stream({
      model: 'tiny',
      max_tokens: 50,
      messages: [question],
      tools: [weather, clock],
      tool_choice: { type: 'any' },
    });
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^call_/),
        name: 'get_weather',
        input: { city: 'example', days: 1 },
      },
    ]);

    const named = await client.messages
      .stream({
        model: 'tiny',
        max_tokens: 50,
        messages: [question],
        tools: [weather, clock],
        tool_choice: { type: 'tool', name: 'get_time' },
      })
      .finalMessage();
    expect(named.content).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'get_time', input: { zone: 'example' } },
    ]);

    const toolUse = first.content[0];
    if (toolUse?.type !== 'tool_use') throw new Error('expected a tool_use block');
    const second = await client.messages.create({
      model: 'tiny',
      max_tokens: 3,
      tools: [weather, clock],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'sunny and warm' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: sunny' }]);
  });

  it('takes the system prompt as a string and as blocks', async () => {
    const messages = [{ role: 'user' as const, content: 'system prompts work' }];
    const asString = await client.messages.create({
      model: 'tiny',
      max_tokens: 3,
      system: 'You are terse.',
      messages,
    });
    const asBlocks = await client.messages.create({
      model: 'tiny',
      max_tokens: 3,
      system: [
        { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages,
    });
    expect(asString.content).toEqual([{ type: 'text', text: 'system prompts work' }]);
    expect(asBlocks.content).toEqual(asString.content);
    // The system text reaches the model: it is part of the prompt the model counted.
    const bare = await client.messages.create({ model: 'tiny', max_tokens: 3, messages });
    expect(asBlocks.usage.input_tokens).toBeGreaterThan(bare.usage.input_tokens);
    expect(asString.usage.input_tokens).toBeGreaterThan(bare.usage.input_tokens);
  });

  it('streams thinking blocks from a reasoning model', async () => {
    const message = await client.messages
      .stream({
        model: 'thinker',
        max_tokens: 2,
        messages: [{ role: 'user', content: 'think first' }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think about this.', signature: '' },
      { type: 'text', text: 'think first' },
    ]);
  });

  it('count_tokens estimates the input without starting anything', async () => {
    const short = await client.messages.countTokens({
      model: 'tiny',
      messages: [{ role: 'user', content: 'count me' }],
    });
    const long = await client.messages.countTokens({
      model: 'tiny',
      system: 'A much longer system prompt that adds quite a few more tokens to the count.',
      messages: [{ role: 'user', content: 'count me' }],
      tools: [weather],
    });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens);
  });

  it('an unknown model raises NotFoundError with the Anthropic error body', async () => {
    const failure = await client.messages
      .create({ model: 'tiny-2', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(NotFoundError);
    const err = failure as NotFoundError;
    expect(err.status).toBe(404);
    expect(err.requestID).toEqual(expect.any(String));
    expect(err.error).toEqual({
      type: 'error',
      error: {
        type: 'not_found_error',
        message: expect.stringMatching(/^model 'tiny-2' is not configured; did you mean 'tiny'/),
      },
      request_id: err.requestID,
    });
  });
});
