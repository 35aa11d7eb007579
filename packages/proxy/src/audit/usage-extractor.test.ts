import { describe, expect, it } from 'vitest';
import { hasFirstToken } from './first-token.js';
import { sseEventSpans } from './sse-events.js';
import { usageFromJsonBody, usageFromSseEvents, usageFromStreamEvent } from './usage-extractor.js';

const openAIUsage = {
  prompt_tokens: 100,
  completion_tokens: 20,
  total_tokens: 120,
  prompt_tokens_details: { cached_tokens: 30 },
};

describe('usage from whole answers', () => {
  it('splits OpenAI prompt tokens into uncached input and cache reads', () => {
    expect(usageFromJsonBody('openai', { usage: openAIUsage })).toEqual({
      input: 70,
      output: 20,
      cacheRead: 30,
      cacheWrite: 0,
    });
  });

  it('moves cache writes reported on an OpenAI usage out of the input', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 1, cache_creation_input_tokens: 40 };
    expect(usageFromJsonBody('openai', { usage })).toEqual({
      input: 60,
      output: 1,
      cacheRead: 0,
      cacheWrite: 40,
    });
  });

  it('reads embeddings usage (no completion tokens)', () => {
    expect(usageFromJsonBody('openai', { usage: { prompt_tokens: 8, total_tokens: 8 } })).toEqual({
      input: 8,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
    });
  });

  it('reads an Anthropic message usage', () => {
    const usage = {
      input_tokens: 12,
      output_tokens: 34,
      cache_read_input_tokens: 5,
      cache_creation_input_tokens: 6,
    };
    expect(usageFromJsonBody('anthropic', { type: 'message', usage })).toEqual({
      input: 12,
      output: 34,
      cacheRead: 5,
      cacheWrite: 6,
    });
  });

  it('gives nothing for a body without a usage or a non-object', () => {
    expect(usageFromJsonBody('openai', { choices: [] })).toBeUndefined();
    expect(usageFromJsonBody('anthropic', 'text')).toBeUndefined();
    expect(usageFromJsonBody('openai', { usage: null })).toBeUndefined();
  });
});

describe('usage from streams', () => {
  it('reads Anthropic message_start and message_delta, the later count winning', () => {
    expect(
      usageFromStreamEvent('anthropic', {
        type: 'message_start',
        message: { usage: { input_tokens: 9, output_tokens: 1 } },
      }),
    ).toEqual({ input: 9, output: 1 });
    expect(
      usageFromStreamEvent('anthropic', { type: 'message_delta', usage: { output_tokens: 15 } }),
    ).toEqual({ output: 15 });
    const events =
      'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":9,"output_tokens":1,"cache_read_input_tokens":3}}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"hi"}}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":15}}\n\n';
    expect(usageFromSseEvents('anthropic', Buffer.from(events))).toEqual({
      input: 9,
      output: 15,
      cacheRead: 3,
    });
  });

  it('reads the usage chunk of an OpenAI stream and ignores usage: null', () => {
    const events =
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\r\n\r\n' +
      `data: {"choices":[],"usage":${JSON.stringify(openAIUsage)}}\r\n\r\n` +
      'data: [DONE]\r\n\r\n';
    expect(usageFromSseEvents('openai', events)).toEqual({
      input: 70,
      output: 20,
      cacheRead: 30,
      cacheWrite: 0,
    });
  });

  it('gives nothing when no event carries a usage', () => {
    expect(usageFromSseEvents('openai', 'data: {"choices":[]}\n\n')).toBeUndefined();
    expect(usageFromSseEvents('openai', 'data: {"usage": broken\n\n')).toBeUndefined();
  });
});

describe('sseEventSpans', () => {
  it('finds each event, its byte range and its data lines', () => {
    const buf = Buffer.from(': ping\n\nevent: x\ndata: a\ndata:b\n\ndata: é\n\ndata: tail');
    expect(sseEventSpans(buf)).toEqual([
      { start: 0, end: 8, data: undefined },
      { start: 8, end: 33, data: 'a\nb' },
      { start: 33, end: 43, data: 'é' },
      { start: 43, end: 53, data: 'tail' },
    ]);
  });
});

describe('hasFirstToken', () => {
  it('does not count a role-only or empty first chunk', () => {
    expect(
      hasFirstToken(
        'openai',
        'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n',
      ),
    ).toBe(false);
    expect(hasFirstToken('openai', 'data: [DONE]\n\n')).toBe(false);
  });

  it('counts content, reasoning, tool calls and completion text', () => {
    for (const delta of [
      '{"content":"a"}',
      '{"reasoning_content":"hm"}',
      '{"tool_calls":[{"index":0}]}',
    ]) {
      expect(hasFirstToken('openai', `data: {"choices":[{"delta":${delta}}]}\n\n`)).toBe(true);
    }
    expect(hasFirstToken('openai', 'data: {"choices":[{"text":"x"}]}\n\n')).toBe(true);
  });

  it('counts an Anthropic content block delta', () => {
    expect(hasFirstToken('anthropic', 'event: ping\ndata: {"type":"ping"}\n\n')).toBe(false);
    expect(
      hasFirstToken(
        'anthropic',
        'event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n',
      ),
    ).toBe(true);
  });
});
