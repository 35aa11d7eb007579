import { describe, expect, it } from 'vitest';
import { countTokensAnthropic } from './count-tokens.js';
import { estimateTextTokens } from './estimate-tokens.js';
import type { AnthropicMessagesRequest } from './types.js';

const request = (overrides: Partial<AnthropicMessagesRequest>): AnthropicMessagesRequest => ({
  model: 'claude',
  max_tokens: 10,
  messages: [],
  ...overrides,
});

describe('estimateTextTokens', () => {
  it('counts about four ASCII characters per token, rounding up', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('abcd')).toBe(1);
    expect(estimateTextTokens('abcde')).toBe(2);
  });

  it('counts one token per non-ASCII character so CJK text is not underestimated', () => {
    expect(estimateTextTokens('日本語')).toBe(3);
    expect(estimateTextTokens('ab日本')).toBe(3);
  });
});

describe('countTokensAnthropic', () => {
  it('never answers 0, even for an empty request', () => {
    expect(countTokensAnthropic(request({}))).toStrictEqual({ input_tokens: 1 });
  });

  it('counts system, message text and per-message framing', () => {
    const counted = countTokensAnthropic(
      request({
        system: 'a'.repeat(40),
        messages: [{ role: 'user', content: 'b'.repeat(80) }],
      }),
    );
    // 10 (system) + 4 (framing) + 20 (text)
    expect(counted).toStrictEqual({ input_tokens: 34 });
  });

  it('counts tool definitions, tool calls, tool results and images', () => {
    const base = countTokensAnthropic(request({ messages: [{ role: 'user', content: 'hi' }] }));
    const withTools = countTokensAnthropic(
      request({
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 't1', name: 'read', input: { path: '/tmp/x' } }],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: 'file body '.repeat(10) },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            ],
          },
        ],
        tools: [{ name: 'read', description: 'Read a file', input_schema: { type: 'object' } }],
      }),
    );
    expect(withTools.input_tokens).toBeGreaterThan(base.input_tokens + 1600 + 25);
  });

  it('does not count thinking from earlier turns, which backends drop from the context', () => {
    const without = countTokensAnthropic(
      request({ messages: [{ role: 'assistant', content: [{ type: 'text', text: 'ok' }] }] }),
    );
    const withThinking = countTokensAnthropic(
      request({
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'x'.repeat(4000), signature: 's' },
              { type: 'text', text: 'ok' },
            ],
          },
        ],
      }),
    );
    expect(withThinking).toStrictEqual(without);
  });
});
