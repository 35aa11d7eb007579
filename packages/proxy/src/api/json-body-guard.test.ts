import { describe, expect, it } from 'vitest';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import { checkJsonBody } from './json-body-guard.js';

function check(text: string, depth?: number): GatewayError | undefined {
  try {
    checkJsonBody(Buffer.from(text), depth);
    return undefined;
  } catch (err) {
    return err as GatewayError;
  }
}

describe('checkJsonBody', () => {
  it('passes ordinary bodies, nested strings with brackets and escaped quotes included', () => {
    expect(
      check('{"model":"a","messages":[{"role":"user","content":"[{\\"x\\": \\"}\\"}]"}]}'),
    ).toBeUndefined();
    expect(check('{"a":{"model":"x"},"model":"y"}')).toBeUndefined();
    expect(check('[1,2,[3]]')).toBeUndefined();
  });

  it('refuses nesting deeper than the limit, before parsing, stating the limit', () => {
    const deep = `{"model":"a","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const err = check(deep);
    expect(err?.code).toBe('INVALID_REQUEST');
    expect(err?.status).toBe(400);
    expect(err?.message).toContain('deeper than 1000 levels');
    expect(check(`${'['.repeat(10)}${']'.repeat(10)}`, 10)).toBeUndefined();
    expect(check(`${'['.repeat(11)}${']'.repeat(11)}`, 10)?.message).toContain('10 levels');
  });

  it('does not count brackets inside strings', () => {
    expect(check(`{"content":"${'['.repeat(5000)}"}`)).toBeUndefined();
    expect(check(`{"content":"\\\\${'{'.repeat(5000)}"}`)).toBeUndefined();
  });

  it('refuses a top-level key sent twice, escaped spellings included', () => {
    expect(check('{"model":"b","model":"a"}')?.message).toContain('"model" more than once');
    expect(check('{"model":"b","mod\\u0065l":"a"}')?.param).toBe('model');
    expect(check('{"stream":true, "x":[{"stream":1}], "stream":false}')?.message).toContain(
      '"stream"',
    );
    expect(check('{"__proto__":{},"__proto__":{}}')?.code).toBe('INVALID_REQUEST');
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(check('{"model":"a')).toBeUndefined();
    expect(check('{"mod\\x":1}')).toBeUndefined();
    expect(check('')).toBeUndefined();
  });

  it('stays linear on many keys and long strings', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}":1`).join(',');
    const started = performance.now();
    expect(check(`{${keys},"s":"${'a'.repeat(5_000_000)}"}`)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
