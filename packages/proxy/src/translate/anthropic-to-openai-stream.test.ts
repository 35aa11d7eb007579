import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  AnthropicToOpenAIStream,
  type AnthropicToOpenAIStreamOptions,
  type OpenAIStreamFailure,
} from './anthropic-to-openai-stream.js';

/**
 * `upstream` entries: an Anthropic SSE event `{ event, data }` whose `data` is JSON (an
 * object, stringified by the runner) or a raw string sent as is; or a driver step
 * `{ "$fail": {...} }` (the connection broke: fail()). done() is called at the end.
 */
interface Fixture {
  description: string;
  options: AnthropicToOpenAIStreamOptions;
  upstream: ({ event?: string; data: unknown } | { $fail: OpenAIStreamFailure })[];
  expected: { data: unknown }[];
}

const dir = new URL('./fixtures/anthropic-to-openai-stream/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

/** Parses frames back with a real SSE parser; every frame must be one complete event. */
function parseFrames(frames: string[]): { data: unknown }[] {
  const events: { data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => {
      expect(message.event, 'OpenAI frames carry no event name').toBeUndefined();
      events.push({ data: message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data) });
    },
  });
  for (const frame of frames) {
    const before = events.length;
    parser.feed(frame);
    expect(events.length, `frame is one complete SSE event: ${JSON.stringify(frame)}`).toBe(
      before + 1,
    );
  }
  return events;
}

function run(fixture: Fixture): string[] {
  const stream = new AnthropicToOpenAIStream(fixture.options);
  const frames: string[] = [];
  for (const entry of fixture.upstream) {
    if ('$fail' in entry) {
      frames.push(...stream.fail(entry.$fail));
      continue;
    }
    const data = typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data);
    frames.push(
      ...stream.push(entry.event === undefined ? { data } : { event: entry.event, data }),
    );
  }
  frames.push(...stream.done());
  return frames;
}

const event = (data: { type: string } & Record<string, unknown>) => ({
  event: data.type,
  data: JSON.stringify(data),
});

describe('AnthropicToOpenAIStream fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    expect(parseFrames(run(fixture))).toStrictEqual(fixture.expected);
  });
});

describe('AnthropicToOpenAIStream', () => {
  it('forwards each text delta from the event that carries it', () => {
    const stream = new AnthropicToOpenAIStream({
      model: 'claude',
      includeUsage: false,
      created: 7,
    });
    stream.push(
      event({ type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 3 } } }),
    );
    stream.push(
      event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    );
    const frames = stream.push(
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
    );
    expect(parseFrames(frames)).toStrictEqual([
      {
        data: {
          id: 'msg_1',
          object: 'chat.completion.chunk',
          created: 7,
          model: 'claude',
          choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }],
        },
      },
    ]);
  });

  it('ends a failed stream with an error frame and [DONE], then sends nothing more', () => {
    const stream = new AnthropicToOpenAIStream({ model: 'claude', includeUsage: true });
    const frames = stream.fail({ message: 'upstream reset', type: 'overloaded_error' });
    expect(parseFrames(frames)).toStrictEqual([
      {
        data: {
          error: { message: 'upstream reset', type: 'server_error', param: null, code: null },
        },
      },
      { data: '[DONE]' },
    ]);
    expect(stream.done()).toStrictEqual([]);
    expect(stream.push(event({ type: 'message_stop' }))).toStrictEqual([]);
  });

  it('uses the current time for created when none is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const stream = new AnthropicToOpenAIStream({ model: 'claude', includeUsage: false });
    const [frame] = stream.push(event({ type: 'message_start', message: { id: 'msg_1' } }));
    const created = (parseFrames([frame ?? ''])[0]?.data as { created: number }).created;
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
