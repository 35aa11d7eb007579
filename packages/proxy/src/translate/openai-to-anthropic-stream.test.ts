import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../testing/load-fixtures.js';
import {
  OpenAIToAnthropicStream,
  type OpenAIToAnthropicStreamOptions,
  type StreamFailure,
} from './openai-to-anthropic-stream.js';

/**
 * `upstream` entries: a parsed OpenAI chunk (pushed), `"[DONE]"` (done()), or a driver
 * step `{ "$fail": {...} }` (the connection broke: fail()) or `{ "$start": true }`
 * (start() before any chunk). done() is called at the end if no `[DONE]` came.
 */
interface Fixture {
  description: string;
  options: OpenAIToAnthropicStreamOptions;
  upstream: unknown[];
  expected: { event: string; data: unknown }[];
}

const dir = new URL('./fixtures/openai-to-anthropic-stream/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

/** Parses frames back with a real SSE parser; every frame must be one complete event. */
function parseFrames(frames: string[]): { event: string | undefined; data: unknown }[] {
  const events: { event: string | undefined; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => events.push({ event: message.event, data: JSON.parse(message.data) }),
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
  const stream = new OpenAIToAnthropicStream(fixture.options);
  const frames: string[] = [];
  let ended = false;
  for (const entry of fixture.upstream) {
    if (entry === '[DONE]') {
      frames.push(...stream.done());
      ended = true;
    } else if (typeof entry === 'object' && entry !== null && '$fail' in entry) {
      frames.push(...stream.fail((entry as { $fail: StreamFailure }).$fail));
    } else if (typeof entry === 'object' && entry !== null && '$start' in entry) {
      frames.push(...stream.start());
    } else {
      frames.push(...stream.push(entry));
    }
  }
  if (!ended) frames.push(...stream.done());
  return frames;
}

const textChunk = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'qwen',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

describe('OpenAIToAnthropicStream fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    expect(parseFrames(run(fixture))).toStrictEqual(fixture.expected);
  });
});

describe('OpenAIToAnthropicStream', () => {
  it('forwards each text delta from the chunk that carries it, without holding it back', () => {
    const stream = new OpenAIToAnthropicStream({ model: 'qwen', messageId: 'msg_1' });
    const first = parseFrames(stream.push(textChunk('Hel')));
    expect(first.map((e) => e.event)).toStrictEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(first[2]?.data).toMatchObject({ delta: { type: 'text_delta', text: 'Hel' } });
    const second = parseFrames(stream.push(textChunk('lo')));
    expect(second).toStrictEqual([
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      },
    ]);
  });

  it('answers ping with an Anthropic ping frame until the stream is finished', () => {
    const stream = new OpenAIToAnthropicStream({ model: 'qwen' });
    expect(parseFrames([stream.ping()])).toStrictEqual([{ event: 'ping', data: { type: 'ping' } }]);
    stream.done();
    expect(stream.ping()).toBe('');
  });

  it('sends nothing after done or fail', () => {
    const stream = new OpenAIToAnthropicStream({ model: 'qwen' });
    stream.done();
    expect(stream.push(textChunk('late'))).toStrictEqual([]);
    expect(stream.fail({ message: 'late' })).toStrictEqual([]);
    expect(stream.done()).toStrictEqual([]);
  });

  it('gives each message a fresh id when none is passed', () => {
    const ids = [1, 2].map(() => {
      const start = parseFrames(new OpenAIToAnthropicStream({ model: 'qwen' }).start())[0];
      return (start?.data as { message: { id: string } }).message.id;
    });
    expect(ids[0]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
