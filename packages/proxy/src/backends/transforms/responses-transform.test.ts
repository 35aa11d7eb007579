import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { contextOf } from '../../testing/responses-fixture-context.js';
import * as translators from '../../translate/translators.js';
import { anthropicToOpenAITransform } from './anthropic-to-openai-transform.js';
import type { StreamStep } from './response-transform.js';
import { ResponsesSession } from './responses-session.js';
import { responsesTransform } from './responses-transform.js';

const who = { model: 'claude', hosts: ['api.anthropic.test'] };
const anthropicEvent = (event: string, data: object): Buffer =>
  Buffer.from(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);

function session(stored: unknown[]): ResponsesSession {
  const context = contextOf({
    id: 'resp_t',
    model: 'claude',
    createdAt: 1,
    request: { model: 'claude' },
  });
  return new ResponsesSession(translators, context, {} as ServerResponse, (r) => stored.push(r));
}

function events(steps: StreamStep[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const parser = createParser({
    onEvent: (e) => out.push(JSON.parse(e.data) as Record<string, unknown>),
  });
  for (const step of steps) parser.feed(step.frames);
  return out;
}

/** The Anthropic backend's own translation, composed in front of the Responses one. */
function composed(stored: unknown[]) {
  const inner = anthropicToOpenAITransform({
    translators,
    model: 'claude',
    includeUsage: true,
    who,
  });
  return responsesTransform({ session: session(stored), who, inner }).stream();
}

const start = anthropicEvent('message_start', {
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content: [],
    stop_reason: null,
    usage: { input_tokens: 7, output_tokens: 0 },
  },
});
const textStart = anthropicEvent('content_block_start', {
  index: 0,
  content_block: { type: 'text', text: '' },
});
const delta = (text: string) =>
  anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });

describe('the Responses transform composed with the Anthropic one', () => {
  it('turns Anthropic events into Responses events as each arrives, and stores the response', () => {
    const stored: unknown[] = [];
    const stream = composed(stored);
    const steps = [stream.push(start), stream.push(textStart), stream.push(delta('Hi'))];
    expect(events(steps).map((e) => e['type'])).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    const end = [
      stream.push(anthropicEvent('content_block_stop', { index: 0 })),
      stream.push(
        anthropicEvent('message_delta', {
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 1 },
        }),
      ),
      stream.push(anthropicEvent('message_stop', {})),
    ];
    expect(end.at(-1)?.done).toBe(true);
    const last = events(end).at(-1);
    expect(last).toMatchObject({
      type: 'response.completed',
      response: { output_text: 'Hi', usage: { input_tokens: 7, output_tokens: 1 } },
    });
    expect(stored).toHaveLength(1);
  });

  it('ends with response.failed on an Anthropic error event, stores nothing', () => {
    const stored: unknown[] = [];
    const stream = composed(stored);
    stream.push(start);
    stream.push(textStart);
    stream.push(delta('par'));
    const step = stream.push(
      anthropicEvent('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
    );
    expect(step.failed).toBeDefined();
    const last = events([step]).at(-1);
    expect(last).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { message: expect.stringContaining('Overloaded') } },
    });
    expect(stored).toEqual([]);
  });

  it('ends with response.failed when the Anthropic stream is cut', () => {
    const stream = composed([]);
    stream.push(start);
    const step = stream.end();
    expect(step.failed).toBeDefined();
    expect(events([step]).at(-1)).toMatchObject({ type: 'response.failed' });
  });
});
