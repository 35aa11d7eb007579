import { describe, expect, it } from 'vitest';
import { AuditRecordBuilder } from '../../audit/record-builder.js';
import { ManualClock } from '../../testing/manual-clock.js';
import type { UsageFormat } from '../../audit/usage-extractor.js';
import type { ResponseSink } from './response-sink.js';
import { BodyUsageTapSink, StreamAuditTap, TranslatedStreamTapSink } from './usage-tap.js';

const sse = (...data: string[]): Buffer => Buffer.from(data.map((d) => `data: ${d}\n\n`).join(''));

const role = JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }], usage: null });
const token = JSON.stringify({ choices: [{ index: 0, delta: { content: 'Hi' } }], usage: null });
const usageOnly = JSON.stringify({
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } },
});

class Collecting implements ResponseSink {
  readonly chunks: string[] = [];
  ended = false;
  data(chunk: Buffer): void {
    this.chunks.push(chunk.toString());
  }
  end(): void {
    this.ended = true;
  }
}

function setup() {
  const clock = new ManualClock();
  const audit = new AuditRecordBuilder('r1', 'openai.chat', 0, Date.UTC(2026, 0, 1));
  return { clock, audit };
}

describe('StreamAuditTap', () => {
  it('times the first generated token (not a role-only chunk) and removes the injected usage chunk', () => {
    const { clock, audit } = setup();
    const tap = new StreamAuditTap(audit, 'openai', true, clock);
    clock.advance(5);
    expect(tap.events(sse(role)).toString()).toBe(sse(role).toString());
    expect(audit.sawFirstToken).toBe(false);
    clock.advance(20);
    tap.events(sse(token));
    clock.advance(50);
    const last = tap.events(sse(token, usageOnly, '[DONE]'));
    expect(last.toString()).toBe(sse(token, '[DONE]').toString());
    const record = audit.end(clock.now());
    expect(record.ttftMs).toBe(25);
    expect(record.usage).toEqual({ input: 10, output: 3, cacheRead: 2, cacheWrite: 0 });
  });

  it('keeps the usage chunk a client asked for', () => {
    const { clock, audit } = setup();
    const tap = new StreamAuditTap(audit, 'openai', false, clock);
    const events = sse(usageOnly);
    expect(tap.events(events)).toBe(events);
    expect(audit.end(clock.now()).usage?.output).toBe(3);
  });

  it("reads an Anthropic stream's usage from message_start and message_delta", () => {
    const { clock, audit } = setup();
    const tap = new StreamAuditTap(audit, 'anthropic', false, clock);
    const start = JSON.stringify({
      type: 'message_start',
      message: { usage: { input_tokens: 7, output_tokens: 1, cache_read_input_tokens: 4 } },
    });
    const delta = JSON.stringify({ type: 'content_block_delta', delta: { text: 'x' } });
    const end = JSON.stringify({ type: 'message_delta', usage: { output_tokens: 9 } });
    tap.events(sse(start));
    clock.advance(3);
    tap.events(sse(delta));
    tap.events(sse(end));
    const record = audit.end(clock.now());
    expect(record.ttftMs).toBe(3);
    expect(record.usage).toEqual({ input: 7, output: 9, cacheRead: 4, cacheWrite: 0 });
  });
});

describe('the tap sinks', () => {
  it('a translated stream: read through a framer of its own, passed on unchanged', () => {
    const { clock, audit } = setup();
    const inner = new Collecting();
    const sink = new TranslatedStreamTapSink(
      inner,
      new StreamAuditTap(audit, 'openai', false, clock),
    );
    const whole = sse(token, usageOnly).toString();
    sink.data(Buffer.from(whole.slice(0, 30)));
    sink.data(Buffer.from(whole.slice(30)));
    sink.end();
    expect(inner.chunks.join('')).toBe(whole);
    expect(inner.ended).toBe(true);
    expect(audit.end(clock.now()).usage?.input).toBe(10);
  });

  it('a whole body: usage read at the end', () => {
    const { clock, audit } = setup();
    const inner = new Collecting();
    const sink = new BodyUsageTapSink(inner, audit, 'openai');
    const body = JSON.stringify({
      choices: [{ message: { content: 'a "usage": text' } }],
      usage: {
        prompt_tokens: 5,
        completion_tokens: 2,
        prompt_tokens_details: { cached_tokens: 1 },
      },
      id: 'x',
    });
    sink.data(Buffer.from(body.slice(0, 10)));
    sink.data(Buffer.from(body.slice(10)));
    sink.end();
    expect(inner.chunks.join('')).toBe(body);
    expect(audit.end(clock.now()).usage).toEqual({
      input: 4,
      output: 2,
      cacheRead: 1,
      cacheWrite: 0,
    });
  });

  it('reads the usage in place or by a parse alike (the fast read and its fallback agree)', () => {
    const usages: Array<[UsageFormat, string]> = [
      [
        'openai',
        '{"prompt_tokens":10,"completion_tokens":3,"cache_creation_input_tokens":4,"prompt_tokens_details":{"cached_tokens":3}}',
      ],
      [
        'openai',
        '{"prompt_tokens":10.0,"completion_tokens":3,"cache_creation_input_tokens":4,"prompt_tokens_details":{"cached_tokens":3}}',
      ],
      [
        'openai',
        '{"prompt_tokens":2,"completion_tokens":null,"prompt_tokens_details":{"cached_tokens":9}}',
      ],
      [
        'openai',
        '{"prompt_tokens":2,"completion_tokens":-1,"prompt_tokens_details":{"cached_tokens":9.0}}',
      ],
      [
        'anthropic',
        '{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1,"service_tier":"standard"}',
      ],
      [
        'anthropic',
        '{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1.0,"server_tool_use":{"a":[1]}}',
      ],
    ];
    const results = usages.map(([format, usage]) => {
      const { clock, audit } = setup();
      const sink = new BodyUsageTapSink(new Collecting(), audit, format);
      sink.data(Buffer.from(`{"id":"x","usage":${usage},"model":"m"}`));
      sink.end();
      return audit.end(clock.now()).usage;
    });
    expect(results).toEqual([
      { input: 3, output: 3, cacheRead: 3, cacheWrite: 4 },
      { input: 3, output: 3, cacheRead: 3, cacheWrite: 4 },
      { input: 0, output: 0, cacheRead: 2, cacheWrite: 0 },
      { input: 0, output: 0, cacheRead: 2, cacheWrite: 0 },
      { input: 20, output: 1, cacheRead: 5, cacheWrite: 0 },
      { input: 20, output: 1, cacheRead: 5, cacheWrite: 0 },
    ]);
  });
});
