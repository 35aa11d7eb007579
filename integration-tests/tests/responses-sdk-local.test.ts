import OpenAI, { NotFoundError } from 'openai';
import type { FunctionTool, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { standinModel } from '../support/processes.js';

// The official OpenAI SDK's Responses API against local models run by the real supervisor (the
// stand-in for mlx-openai-server): every request becomes a chat completion, every answer a
// response object or the typed event stream, and stored responses continue conversations.

const gateway = new TestGateway();
let client: OpenAI;

beforeAll(async () => {
  await gateway.configure(
    [
      standinModel('tiny', { MLX_STANDIN_LOAD_MS: 200 }),
      standinModel('thinker', { MLX_STANDIN_LOAD_MS: 200, MLX_STANDIN_REASONING: 1 }),
    ].join(''),
  );
  await gateway.startSupervisor();
  const url = await gateway.startProxy();
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'any-key', maxRetries: 0 });
});
afterAll(() => gateway.stop());

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  strict: true,
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

describe('the OpenAI SDK Responses API against a local model', () => {
  it('responses.create answers a response object with output_text and usage', async () => {
    const response = await client.responses.create({
      model: 'tiny',
      instructions: 'Be brief.',
      input: 'hello gateway world',
      max_output_tokens: 5,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.model).toBe('tiny');
    expect(response.output_text).toBe('hello gateway world hello gateway');
    // The stand-in stops at max_tokens with finish_reason "length".
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(response.usage?.output_tokens).toBe(5);
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
  });

  it('responses.stream: typed events in order with sequence numbers, and finalResponse', async () => {
    const stream = client.responses.stream({
      model: 'thinker',
      input: [
        { role: 'developer', content: 'Answer plainly.' },
        { role: 'user', content: [{ type: 'input_text', text: 'streams arrive word by word' }] },
      ],
      max_output_tokens: 4,
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
    });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('streams arrive word by');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
    ]);
    expect(types).toContain('response.reasoning_summary_text.delta');
    expect(types.at(-1)).toBe('response.incomplete');
    const deltas = events.flatMap((e) =>
      e.type === 'response.output_text.delta' ? [[e.delta, e.output_index, e.content_index]] : [],
    );
    expect(deltas).toEqual([
      ['streams', 1, 0],
      [' arrive', 1, 0],
      [' word', 1, 0],
      [' by', 1, 0],
    ]);
  });

  it('a function-calling round trip with function_call_output, then previous_response_id', async () => {
    const first = await client.responses.create({
      model: 'tiny',
      input: 'What is the weather in Paris?',
      tools: [weather],
      tool_choice: 'auto',
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'example' });

    const second = await client.responses.create({
      model: 'tiny',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny and warm' }],
      tools: [weather],
      max_output_tokens: 5,
    });
    expect(second.output_text).toBe('Tool said: sunny and warm');
    expect(second.previous_response_id).toBe(first.id);

    const third = await client.responses.create({
      model: 'tiny',
      previous_response_id: second.id,
      input: 'thanks a lot',
      max_output_tokens: 3,
    });
    expect(third.output_text).toBe('thanks a lot');

    const fetched = await client.responses.retrieve(third.id);
    expect(fetched.id).toBe(third.id);
    expect(fetched.output_text).toBe('thanks a lot');
    const deleted = await client.responses.delete(third.id);
    expect(deleted).toMatchObject({ id: third.id, deleted: true });
    await expect(client.responses.retrieve(third.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an unknown previous_response_id gets OpenAI-style 404; store: false responses are not kept', async () => {
    await expect(
      client.responses.create({ model: 'tiny', previous_response_id: 'resp_unknown', input: 'hi' }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
    const unstored = await client.responses.create({ model: 'tiny', input: 'hi', store: false });
    await expect(client.responses.retrieve(unstored.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a built-in tool offered is dropped and named; forced, it is a 400 naming it', async () => {
    const raw = await client.responses
      .create({
        model: 'tiny',
        input: 'hello',
        tools: [{ type: 'web_search_preview' }],
        max_output_tokens: 1,
      })
      .withResponse();
    expect(raw.response.headers.get('x-mlx-gateway-dropped-fields')).toContain(
      'tools[web_search_preview]',
    );
    expect(raw.data.output_text).toBe('hello');
    await expect(
      client.responses.create({
        model: 'tiny',
        input: 'hello',
        tools: [{ type: 'web_search_preview' }],
        tool_choice: { type: 'web_search_preview' },
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('web_search_preview'),
    });
  });
});
