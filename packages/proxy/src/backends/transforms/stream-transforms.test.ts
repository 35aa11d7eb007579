import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import * as translators from '../../translate/translators.js';
import { anthropicToOpenAITransform } from './anthropic-to-openai-transform.js';
import { openAIToAnthropicTransform } from './openai-to-anthropic-transform.js';
import type { StreamStep } from './response-transform.js';

const who = { model: 'm', hosts: ['internal.example'] };

function events(frames: string): Array<{ event?: string; data: string }> {
  const out: Array<{ event?: string; data: string }> = [];
  const parser = createParser({
    onEvent: (e) =>
      out.push(e.event === undefined ? { data: e.data } : { event: e.event, data: e.data }),
  });
  parser.feed(frames);
  return out;
}

const chunk = (delta: object): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;

describe('OpenAI → Anthropic stream transform', () => {
  const transform = () =>
    openAIToAnthropicTransform({ translators, model: 'm', inputTokensEstimate: 10, who }).stream();

  it('keeps a character split between two network chunks intact', () => {
    const stream = transform();
    const bytes = Buffer.from(chunk({ content: 'café ☕' }));
    const cut = bytes.indexOf(Buffer.from('☕')) + 1;
    const first = stream.push(bytes.subarray(0, cut));
    expect(first.frames).toBe('');
    const second = stream.push(bytes.subarray(cut));
    const deltas = events(second.frames).filter((e) => e.event === 'content_block_delta');
    expect(JSON.parse(deltas[0]?.data ?? '{}')).toMatchObject({ delta: { text: 'café ☕' } });
  });

  it('forms the events of a chunk as soon as its blank line arrives', () => {
    const stream = transform();
    const bytes = Buffer.from(chunk({ content: 'hi' }));
    expect(stream.push(bytes.subarray(0, bytes.length - 1)).frames).toBe('');
    const step = stream.push(bytes.subarray(bytes.length - 1));
    expect(events(step.frames).map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
  });

  it('finishes on a [DONE] that ends the body without a blank line', () => {
    const stream = transform();
    stream.push(Buffer.from(chunk({ content: 'hi' })));
    const last = stream.push(Buffer.from('data: [DONE]\n'));
    expect(last.done).toBeUndefined();
    const end: StreamStep = stream.end();
    expect(end.done).toBe(true);
    expect(events(end.frames).map((e) => e.event)).toEqual([
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('reports a stream that ended without [DONE] as failed, with the error event written', () => {
    const stream = transform();
    stream.push(Buffer.from(chunk({ content: 'hi' })));
    const end = stream.end();
    expect(end.failed?.code).toBe('STREAM_INTERRUPTED');
    expect(events(end.frames).map((e) => e.event)).toEqual(['error']);
  });

  it('fails on tool arguments that are not JSON instead of passing them on', () => {
    const stream = transform();
    stream.push(
      Buffer.from(
        chunk({
          tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a":' } }],
        }),
      ),
    );
    const step = stream.push(Buffer.from('data: [DONE]\n\n'));
    expect(step.failed?.code).toBe('UPSTREAM_ERROR');
    expect(step.done).toBeUndefined();
    expect(events(step.frames).at(-1)?.event).toBe('error');
  });

  it('translates a non-streamed completion, refusing one without choices', () => {
    const { body } = openAIToAnthropicTransform({
      translators,
      model: 'm',
      inputTokensEstimate: 3,
      who,
    });
    expect(() => body(Buffer.from('{"id":"x","choices":[]}'))).toThrow(
      /model 'm' gave an answer the gateway cannot translate/,
    );
    expect(() => body(Buffer.from('<html>'))).toThrow(/not JSON/);
  });
});

describe('Anthropic → OpenAI stream transform', () => {
  const transform = () =>
    anthropicToOpenAITransform({ translators, model: 'm', includeUsage: false, who }).stream();
  const ev = (type: string, data: object): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

  it('completes at message_stop with [DONE]', () => {
    const stream = transform();
    stream.push(
      Buffer.from(ev('message_start', { message: { id: 'msg_1', usage: { input_tokens: 1 } } })),
    );
    const step = stream.push(
      Buffer.from(
        ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 1 } }) +
          ev('message_stop', {}),
      ),
    );
    expect(step.done).toBe(true);
    const out = events(step.frames);
    expect(JSON.parse(out[0]?.data ?? '{}')).toMatchObject({
      choices: [{ finish_reason: 'tool_calls' }],
    });
    expect(out.at(-1)?.data).toBe('[DONE]');
  });

  it('reports a cut stream as failed: an error frame, then [DONE]', () => {
    const stream = transform();
    stream.push(Buffer.from(ev('message_start', { message: { id: 'msg_1' } })));
    const end = stream.end();
    expect(end.failed?.code).toBe('STREAM_INTERRUPTED');
    const out = events(end.frames);
    expect(JSON.parse(out[0]?.data ?? '{}')).toMatchObject({
      error: { code: 'stream_interrupted' },
    });
    expect(out.at(-1)?.data).toBe('[DONE]');
  });

  it('scrubs upstream host names from a relayed error event', () => {
    const stream = transform();
    const step = stream.push(
      Buffer.from(
        ev('error', { error: { type: 'api_error', message: 'internal.example:443 failed' } }),
      ),
    );
    expect(step.failed?.code).toBe('UPSTREAM_ERROR');
    expect(step.frames).not.toContain('internal.example');
    expect(JSON.parse(events(step.frames)[0]?.data ?? '{}')).toMatchObject({
      error: { message: 'm failed', type: 'server_error' },
    });
  });
});
