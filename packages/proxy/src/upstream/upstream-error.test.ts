import { describe, expect, it } from 'vitest';
import { sanitizeUpstreamMessage } from './sanitize-message.js';
import { errorFromUpstreamStatus, upstreamMessage } from './upstream-error.js';

const who = { model: 'gpt-4o', hosts: ['api.example-llm.com'] };

describe('sanitizeUpstreamMessage', () => {
  it('replaces URLs, host:port pairs, IP addresses and the upstream host with the model name', () => {
    const text = sanitizeUpstreamMessage(
      'POST https://api.example-llm.com/v1/chat failed; retry api.example-llm.com later; peer 10.0.0.5, proxy [::1]:8080, localhost:11434',
      'gpt-4o',
      who.hosts,
    );
    expect(text).toBe('POST gpt-4o failed; retry gpt-4o later; peer gpt-4o, proxy gpt-4o, gpt-4o');
  });

  it('scrubs credentials', () => {
    const text = sanitizeUpstreamMessage(
      'Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz123456 (Authorization: Bearer abcdefghijklmnop)',
      'gpt-4o',
    );
    expect(text).not.toMatch(/sk-abcdefghijklmnop|Bearer abcdefghijklmnop/);
  });

  it('cuts long messages', () => {
    expect(sanitizeUpstreamMessage('x'.repeat(2_000), 'm').length).toBeLessThanOrEqual(501);
  });
});

describe('upstream error bodies', () => {
  it.each([
    ['{"error":{"message":"openai style"}}', 'openai style'],
    ['{"error":"plain error"}', 'plain error'],
    ['{"detail":"fastapi style"}', 'fastapi style'],
    ['{"detail":[{"loc":["body"],"msg":"field required"}]}', 'field required'],
    [
      '{"type":"error","error":{"type":"overloaded_error","message":"anthropic style"}}',
      'anthropic style',
    ],
    ['upstream text', 'upstream text'],
    ['<html><body>502 Bad Gateway</body></html>', undefined],
  ])('finds the message in %s', (body, message) => {
    expect(upstreamMessage(Buffer.from(body))).toBe(message);
  });

  it.each([
    [401, 'UPSTREAM_AUTH', 502],
    [403, 'UPSTREAM_AUTH', 502],
    [429, 'UPSTREAM_RATE_LIMITED', 429],
    [404, 'UPSTREAM_ERROR', 404],
    [422, 'UPSTREAM_ERROR', 422],
    [500, 'UPSTREAM_ERROR', 502],
    [503, 'UPSTREAM_ERROR', 502],
  ])('maps upstream status %i to %s with status %i', (status, code, relayed) => {
    const err = errorFromUpstreamStatus(status, Buffer.from('{"error":{"message":"x"}}'), who);
    expect(err.code).toBe(code);
    expect(err.status).toBe(relayed);
    expect(err.details).toMatchObject({ upstreamStatus: status });
  });
});
