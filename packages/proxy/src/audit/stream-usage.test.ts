import { describe, expect, it } from 'vitest';
import { askForStreamUsage, filterUsageChunk } from './stream-usage.js';

const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
const content = 'data: {"choices":[{"delta":{"content":"hi"}}],"usage":null}\n\n';
const usageChunk = `data: {"choices":[],"usage":${JSON.stringify(usage)}}\n\n`;
const done = 'data: [DONE]\n\n';

describe('askForStreamUsage', () => {
  it('asks for usage on a stream whose client did not, without changing the given body', () => {
    const body = { model: 'm', stream: true, stream_options: { other: 1 } };
    const out = askForStreamUsage(body);
    expect(out).toEqual({
      body: { model: 'm', stream: true, stream_options: { other: 1, include_usage: true } },
      injected: true,
    });
    expect(body.stream_options).toEqual({ other: 1 });
    expect(
      askForStreamUsage({ stream: true, stream_options: { include_usage: false } }).injected,
    ).toBe(true);
  });

  it('leaves alone a client that asked for usage, and a request that is not streamed', () => {
    const asked = { stream: true, stream_options: { include_usage: true } };
    expect(askForStreamUsage(asked)).toEqual({ body: asked, injected: false });
    const plain = { stream: false };
    expect(askForStreamUsage(plain)).toEqual({ body: plain, injected: false });
  });
});

describe('filterUsageChunk', () => {
  it('drops the usage-only chunk the client never asked for, and reports the usage', () => {
    const events = Buffer.from(content + usageChunk + done);
    const out = filterUsageChunk(events, true);
    expect(out.events.toString()).toBe(content + done);
    expect(out.usage).toEqual({ input: 5, output: 2, cacheRead: 0, cacheWrite: 0 });
  });

  it('keeps the chunk for a client that asked for usage', () => {
    const events = Buffer.from(usageChunk + done);
    const out = filterUsageChunk(events, false);
    expect(out.events).toBe(events);
    expect(out.usage?.output).toBe(2);
  });

  it('keeps a usage that rides on a chunk with choices (some servers do that)', () => {
    const events = Buffer.from(
      `data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":${JSON.stringify(usage)}}\n\n`,
    );
    const out = filterUsageChunk(events, true);
    expect(out.events).toBe(events);
    expect(out.usage?.input).toBe(5);
  });

  it('passes events without a usage through untouched', () => {
    const events = Buffer.from(content + done);
    expect(filterUsageChunk(events, true)).toEqual({ events, usage: undefined });
  });
});
