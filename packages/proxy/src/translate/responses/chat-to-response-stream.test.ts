import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from '../../testing/load-fixtures.js';
import { ChatToResponsesStream, type ResponsesStreamFailure } from './chat-to-response-stream.js';
import { contextOf, type FixtureContext } from '../../testing/responses-fixture-context.js';

/**
 * `upstream` entries: a parsed chat chunk (pushed), `"[DONE]"` (done()), or `{ "$fail": {...} }`
 * (the connection broke: fail()). done() is called at the end if neither ended the stream.
 */
interface Fixture {
  description: string;
  context: FixtureContext;
  upstream: unknown[];
  expected: { event: string; data: unknown }[];
}

const dir = new URL('../fixtures/responses-from-chat-stream/', import.meta.url);
const fixtures = loadFixtures<Fixture>(dir);

/** Parses frames back with a real SSE parser; every frame must be one complete event. */
function parseFrames(frames: string[]): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) =>
      events.push({ event: message.event ?? '', data: JSON.parse(message.data) }),
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

function run(fixture: Pick<Fixture, 'context' | 'upstream'>): string[] {
  const stream = new ChatToResponsesStream(contextOf(fixture.context));
  const frames: string[] = [];
  let ended = false;
  for (const entry of fixture.upstream) {
    if (entry === '[DONE]') {
      frames.push(...stream.done());
      ended = true;
    } else if (typeof entry === 'object' && entry !== null && '$fail' in entry) {
      frames.push(...stream.fail((entry as { $fail: ResponsesStreamFailure }).$fail));
      ended = true;
    } else {
      frames.push(...stream.push(entry));
    }
  }
  if (!ended) frames.push(...stream.done());
  return frames;
}

describe('ChatToResponsesStream fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThan(6);
  });

  it.each(fixtures)('%s', (_name, fixture) => {
    const events = parseFrames(run(fixture));
    expect(events).toStrictEqual(fixture.expected);
    // Invariants of every Responses stream: numbered from 0 without gaps, the event name equal
    // to the data's type, one terminal event, last.
    expect(events.map((e) => (e.data as { sequence_number: number }).sequence_number)).toEqual(
      events.map((_, i) => i),
    );
    for (const e of events) expect((e.data as { type: string }).type).toBe(e.event);
    const terminal = events.filter((e) =>
      ['response.completed', 'response.incomplete', 'response.failed'].includes(e.event),
    );
    expect(terminal).toHaveLength(1);
    expect(events.at(-1)).toBe(terminal[0]);
  });

  it('emits every event of a chunk as soon as that chunk is pushed', () => {
    const stream = new ChatToResponsesStream(
      contextOf({ id: 'resp_x', model: 'm', createdAt: 0, request: { model: 'm' } }),
    );
    const first = parseFrames(
      stream.push({ choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }),
    );
    expect(first.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    const second = parseFrames(
      stream.push({ choices: [{ index: 0, delta: { content: '!' }, finish_reason: null }] }),
    );
    expect(second.map((e) => e.event)).toEqual(['response.output_text.delta']);
  });
});
