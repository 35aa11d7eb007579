import { describe, expect, it } from 'vitest';
import { describeEnv, redactDeep, redactHeaders } from './redact-deep.js';

const KEY = 'sk-proj-Qw3rTy7uI9oP1aS3dF5gH7jK9lZ1xC3v';

describe('redactHeaders', () => {
  it('censors credential headers and scrubs the rest, from a Headers object', () => {
    const headers = new Headers({
      authorization: `Bearer ${KEY}`,
      'x-api-key': 'unusual-shape',
      cookie: 'session=abc',
      'content-type': 'application/json',
      'x-debug': `upstream said ${KEY}`,
    });
    expect(redactHeaders(headers)).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      'content-type': 'application/json',
      'x-debug': 'upstream said [redacted]',
    });
  });

  it('handles Node header records with arrays and any case', () => {
    expect(
      redactHeaders({
        'Set-Cookie': ['a=1', 'b=2'],
        'Api-Key': 'k',
        accept: ['text/event-stream'],
      }),
    ).toEqual({
      'Set-Cookie': '[redacted]',
      'Api-Key': '[redacted]',
      accept: ['text/event-stream'],
    });
  });
});

describe('redactDeep', () => {
  it('censors credential keys at any depth and scrubs every string', () => {
    const input = {
      model: 'gpt-4o',
      upstream: {
        baseUrl: 'https://api.openai.com/v1',
        apiKey: KEY,
        headers: { Authorization: `Bearer ${KEY}` },
        extra: [{ password: 'hunter2' }, `note: ${KEY}`],
      },
      secret: 12345,
      token: 'abc',
      refresh_token: 'def',
      usage: { prompt_tokens: 5, total_tokens: 9 },
    };
    const out = redactDeep(input);
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(out).toEqual({
      model: 'gpt-4o',
      upstream: {
        baseUrl: 'https://api.openai.com/v1',
        apiKey: '[redacted]',
        headers: { Authorization: '[redacted]' },
        extra: [{ password: '[redacted]' }, 'note: [redacted]'],
      },
      secret: '[redacted]',
      token: '[redacted]',
      refresh_token: '[redacted]',
      usage: { prompt_tokens: 5, total_tokens: 9 },
    });
    expect(input.upstream.apiKey).toBe(KEY);
  });

  it('keeps a secret reference ({ kind, name }), which names a secret but holds none', () => {
    expect(redactDeep({ apiKey: { kind: 'env', name: 'OPENAI_API_KEY' } })).toEqual({
      apiKey: { kind: 'env', name: 'OPENAI_API_KEY' },
    });
  });

  it('scrubs an upstream error body relayed to a client', () => {
    const body = {
      error: {
        message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com.`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    };
    const out = redactDeep(body) as typeof body;
    expect(out.error.message).toBe(
      'Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com.',
    );
    expect(out.error.code).toBe('invalid_api_key');
  });

  it('turns errors into plain objects with scrubbed message, stack, fields and cause', () => {
    const cause = new Error(`connect failed for ${KEY}`);
    const err = Object.assign(new Error(`upstream 401 with x-api-key: ${KEY}`, { cause }), {
      code: 'UPSTREAM_AUTH',
      apiKey: KEY,
    });
    const out = redactDeep(err) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(out).toMatchObject({
      type: 'Error',
      message: 'upstream 401 with x-api-key: [redacted]',
      code: 'UPSTREAM_AUTH',
      apiKey: '[redacted]',
      cause: { message: 'connect failed for [redacted]' },
    });
    expect(out['stack']).toEqual(expect.stringContaining('upstream 401'));
  });

  it('survives cycles and shared references', () => {
    const shared = { apiKey: KEY };
    const node: Record<string, unknown> = { a: shared, b: shared };
    node['self'] = node;
    expect(redactDeep(node)).toEqual({
      a: { apiKey: '[redacted]' },
      b: { apiKey: '[redacted]' },
      self: '[circular]',
    });
  });

  it('describes URLs, Maps and binary data without leaking', () => {
    const out = redactDeep({
      url: new URL('https://user:pw123456@example.com/x'),
      map: new Map([['token', 'abc']]),
      bytes: new Uint8Array(4),
    });
    expect(out).toEqual({
      url: 'https://[redacted]@example.com/x',
      map: { token: '[redacted]' },
      bytes: '[binary 4 bytes]',
    });
  });
});

describe('describeEnv', () => {
  it('says set or unset, never the value', () => {
    const env = { OPENAI_API_KEY: KEY, EMPTY: '' };
    expect(describeEnv('OPENAI_API_KEY', env)).toBe('set');
    expect(describeEnv('EMPTY', env)).toBe('unset');
    expect(describeEnv('ANTHROPIC_API_KEY', env)).toBe('unset');
  });
});
