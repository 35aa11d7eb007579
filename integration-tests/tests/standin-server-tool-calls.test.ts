// The stand-in's tool calls on chat completions, run in-process.
import { describe, expect, it } from 'vitest';
import {
  chunksOf,
  post,
  readSse,
  userSays,
  useInProcessStandin,
} from '../support/in-process-standin.js';

useInProcessStandin();

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city', 'days'],
    },
  },
};
const timeTool = {
  type: 'function',
  function: {
    name: 'get_time',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  },
};

describe('stand-in server: tool calls', () => {
  it('calls the first tool with schema-built arguments (non-streamed)', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('weather?', { tools: [weatherTool, timeTool] }),
    );
    const body = (await res.json()) as {
      choices: {
        message: {
          content: null;
          tool_calls: { id: string; type: string; function: { name: string; arguments: string } }[];
        };
        finish_reason: string;
      }[];
    };
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toHaveLength(1);
    const call = choice?.message.tool_calls[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call?.id).toMatch(/^call_\d+$/);
    expect(JSON.parse(call?.function.arguments ?? '')).toEqual({ city: 'example', days: 1 });
  });

  it('streams a tool call as OpenAI does: id/type/name first, then arguments in pieces', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('weather?', { stream: true, tools: [weatherTool] }),
    );
    const { data } = await readSse(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = chunksOf(data);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    const [first, ...rest] = calls;
    expect(first).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(first?.id).toMatch(/^call_/);
    expect(rest.length).toBeGreaterThan(1);
    for (const piece of rest) {
      expect(Object.keys(piece).sort()).toEqual(['function', 'index']);
      expect(Object.keys(piece.function)).toEqual(['arguments']);
    }
    expect(JSON.parse(rest.map((piece) => piece.function.arguments).join(''))).toEqual({
      city: 'example',
      days: 1,
    });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('calls the first two tools with indexes 0 and 1 in parallel mode', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('both', { stream: true, tools: [weatherTool, timeTool] }),
      { 'x-standin-parallel-tools': '1' },
    );
    const calls = chunksOf((await readSse(res)).data).flatMap(
      (chunk) => chunk.choices[0]?.delta.tool_calls ?? [],
    );
    const starts = calls.filter((call) => call.id !== undefined);
    expect(starts.map((call) => [call.index, call.function.name])).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
    expect(starts[0]?.id).not.toBe(starts[1]?.id);
    const args = (index: number) =>
      JSON.parse(
        calls
          .filter((call) => call.index === index)
          .map((call) => call.function.arguments)
          .join(''),
      ) as unknown;
    expect(args(0)).toEqual({ city: 'example', days: 1 });
    expect(args(1)).toEqual({ zone: 'example' });
  });

  it('calls the tool named by tool_choice and refuses a name not in tools', async () => {
    const res = await post(
      '/v1/chat/completions',
      userSays('time?', {
        tools: [weatherTool, timeTool],
        tool_choice: { type: 'function', function: { name: 'get_time' } },
      }),
    );
    const body = (await res.json()) as {
      choices: { message: { tool_calls: { function: { name: string } }[] } }[];
    };
    expect(body.choices[0]?.message.tool_calls.map((call) => call.function.name)).toEqual([
      'get_time',
    ]);
    const unknown = await post(
      '/v1/chat/completions',
      userSays('x', {
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
    );
    expect(unknown.status).toBe(400);
  });

  it('answers with text after a tool result, or when tool_choice is none', async () => {
    const res = await post(
      '/v1/chat/completions',
      {
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        ],
        tools: [weatherTool],
      },
      { 'x-standin-tokens': '3' },
    );
    const body = (await res.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
    };
    expect(body.choices[0]).toMatchObject({
      message: { content: 'Tool said: sunny' },
      finish_reason: 'stop',
    });
    const none = await post(
      '/v1/chat/completions',
      userSays('plain', { tools: [weatherTool], tool_choice: 'none' }),
    );
    const noneBody = (await none.json()) as { choices: { finish_reason: string }[] };
    expect(noneBody.choices[0]?.finish_reason).toBe('stop');
  });
});
