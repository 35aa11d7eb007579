import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readAnthropicMessagesRequest } from './anthropic-request.js';

const dir = new URL('../translate/fixtures/claude-code/', import.meta.url);
const recorded = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map(
    (name) =>
      [
        name,
        (JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { body: Record<string, unknown> })
          .body,
      ] as const,
  );

describe('readAnthropicMessagesRequest with requests recorded from Claude Code', () => {
  it('finds the recordings', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(5);
  });

  it.each(recorded)('accepts %s as it is', (_name, body) => {
    const request = readAnthropicMessagesRequest(body);
    expect(request.model).toBe(body['model']);
    expect(request.stream).toBe(true);
    expect(request.usesTools).toBe(true);
    expect(request.body).toBe(body);
  });

  it('accepts a system-role message anywhere, and fields it does not know', () => {
    const body = {
      model: 'm',
      max_tokens: 32_000,
      future_field: { anything: true },
      messages: [
        { role: 'system', content: 'first' },
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ type: 'text', text: 'env' }], output_config: { x: 1 } },
      ],
    };
    expect(readAnthropicMessagesRequest(body).model).toBe('m');
  });
});
