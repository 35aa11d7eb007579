import { describe, expect, it } from 'vitest';
import { AuditRecordBuilder } from './record-builder.js';
import { readUsageCounts, readUsageObject, USAGE_COUNTS } from './usage-bytes.js';
import { usageFromJsonBody } from './usage-extractor.js';
import type { UsageFormat } from './usage-extractor.js';

/** The usage a builder ends with, from a report object (the reference) or from the counts. */
function viaParse(format: UsageFormat, text: string) {
  const b = new AuditRecordBuilder('r', 'openai.chat', 0, 0);
  const report = usageFromJsonBody(format, { usage: JSON.parse(text) as unknown });
  if (report !== undefined) b.usage(report);
  return b.end(1).usage;
}

describe('readUsageCounts', () => {
  it('reads the usual OpenAI and Anthropic shapes as the parse does', () => {
    const openai = [
      '{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}',
      '{ "prompt_tokens" : 12 ,\n "completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1}}',
      '{"prompt_tokens":10,"completion_tokens":0,"cache_creation_input_tokens":4,"prompt_tokens_details":{"cached_tokens":3}}',
      '{"prompt_tokens":2,"prompt_tokens_details":{"cached_tokens":9}}',
      '{"prompt_tokens":null,"completion_tokens":5,"prompt_tokens_details":null}',
      '{"prompt_tokens":"7","completion_tokens":5}',
      '{}',
    ];
    for (const text of openai) {
      const body = Buffer.from(text);
      expect(readUsageCounts('openai', body, 0, body.length), text).toBe(true);
    }
    const anthropic =
      '{"input_tokens":20,"cache_read_input_tokens":5,"output_tokens":1,"service_tier":"standard","cache_creation":{"ephemeral_5m_input_tokens":0}}';
    const body = Buffer.from(anthropic);
    expect(readUsageCounts('anthropic', body, 0, body.length)).toBe(true);
    expect(USAGE_COUNTS).toEqual({ input: 20, output: 1, cacheRead: 5, cacheWrite: -1 });
    expect(viaParse('anthropic', anthropic)).toEqual({
      input: 20,
      output: 1,
      cacheRead: 5,
      cacheWrite: 0,
    });
  });

  it('gives up on what it does not read exactly: floats, negatives, escapes, deep objects, arrays', () => {
    for (const text of [
      '{"prompt_tokens":1.5}',
      '{"prompt_tokens":-1}',
      '{"prompt_tokens":1e3}',
      '{"prompt_tokens":01}',
      '{"prompt_tokens":12345678901234567}',
      '{"prompt\\u005ftokens":1}',
      '{"a":{"b":{"c":1}}}',
      '{"a":[1]}',
      '{"prompt_tokens":1,}',
      '{"prompt_tokens":1 "completion_tokens":2}',
      '{"prompt_tokens_details":4}',
      '{"prompt_tokens":1',
    ]) {
      const body = Buffer.from(text);
      expect(readUsageCounts('openai', body, 0, body.length), text).toBe(false);
    }
  });

  it('reads a region of a larger body', () => {
    const body = Buffer.from('{"id":"x","usage":{"prompt_tokens":4,"completion_tokens":2}}');
    const start = body.indexOf('{', 1);
    expect(readUsageCounts('openai', body, start, body.length - 1)).toBe(true);
    expect(USAGE_COUNTS).toEqual({ input: 4, output: 2, cacheRead: -1, cacheWrite: -1 });
  });

  it('reads an object to its closing brace and answers where it ended', () => {
    const body = Buffer.from('{"usage":{"prompt_tokens":4,"completion_tokens":2},"model":"m"}');
    const start = body.indexOf('{', 1);
    expect(readUsageObject('openai', body, start)).toBe(body.indexOf('},"model"') + 1);
    expect(USAGE_COUNTS).toEqual({ input: 4, output: 2, cacheRead: -1, cacheWrite: -1 });
    // Cut short anywhere inside, it is no object.
    for (let cut = start + 1; cut <= body.indexOf('},"model"'); cut++) {
      expect(readUsageObject('openai', body.subarray(0, cut), start), String(cut)).toBe(-1);
    }
  });
});
