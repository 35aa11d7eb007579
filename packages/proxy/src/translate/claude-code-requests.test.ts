import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropicToOpenAIRequest } from './anthropic-to-openai-request.js';
import { droppedAnthropicFields } from './dropped-fields.js';
import type { AnthropicMessagesRequest, OpenAIMessage } from './types.js';

/**
 * Requests recorded from the real Claude Code CLI (`fixtures/claude-code/`, long texts
 * trimmed, secrets and ids replaced), replayed through the translation for OpenAI-compatible
 * backends. What each one must become is pinned below.
 */
interface Recorded {
  description: string;
  cli: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: AnthropicMessagesRequest;
}

interface Expected {
  roles: OpenAIMessage['role'][];
  reasoningEffort: string | undefined;
  maxTokens: number;
  dropped: string[];
}

const HINTS = ['cache_control', 'thinking.display', 'context_management', 'tools[].defer_loading'];

const EXPECTED: Record<string, Expected> = {
  'default-model-plain-prompt.json': {
    roles: ['system', 'user', 'system'],
    reasoningEffort: 'medium',
    maxTokens: 128_000,
    dropped: [...HINTS, 'messages[].output_config'],
  },
  'claude-4-model-budget-thinking.json': {
    roles: ['system', 'user'],
    reasoningEffort: 'high',
    maxTokens: 32_000,
    dropped: HINTS,
  },
  'custom-model-thinking-disabled-effort-low.json': {
    roles: ['system', 'user', 'system'],
    reasoningEffort: 'low',
    maxTokens: 32_000,
    dropped: ['cache_control', 'tools[].defer_loading'],
  },
  'custom-model-tool-loop-first.json': {
    roles: ['system', 'user', 'system'],
    reasoningEffort: 'high',
    maxTokens: 32_000,
    dropped: HINTS,
  },
  'custom-model-tool-loop-result.json': {
    roles: ['system', 'user', 'system', 'assistant', 'tool'],
    reasoningEffort: 'high',
    maxTokens: 32_000,
    dropped: HINTS,
  },
};

const dir = new URL('./fixtures/claude-code/', import.meta.url);
const recorded = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Recorded] as const);

function textOf(message: OpenAIMessage | undefined): string {
  return typeof message?.content === 'string' ? message.content : '';
}

describe('Claude Code requests, recorded from the CLI', () => {
  it('has an expectation for every recording, and a recording for every expectation', () => {
    expect(recorded.map(([name]) => name).sort()).toStrictEqual(Object.keys(EXPECTED).sort());
  });

  it.each(recorded)('%s: translates for an OpenAI-compatible backend', (name, fixture) => {
    const expected = EXPECTED[name] as Expected;
    const out = anthropicToOpenAIRequest(fixture.body, { upstreamModel: 'local' });
    expect(out.messages.map((message) => message.role)).toStrictEqual(expected.roles);
    expect(out.reasoning_effort).toBe(expected.reasoningEffort);
    expect(out.max_tokens).toBe(expected.maxTokens);
    // Every tool is offered as a function, deferred ones included, without Anthropic's flags.
    expect(out.tools?.map((tool) => tool.function.name)).toStrictEqual(
      fixture.body.tools?.map((tool) => tool.name),
    );
    for (const tool of out.tools ?? []) {
      expect(Object.keys(tool.function).sort()).toStrictEqual(
        ['description', 'name', 'parameters'].sort(),
      );
    }
    expect(droppedAnthropicFields(fixture.body)).toStrictEqual(expected.dropped);
  });

  it.each(recorded)('%s: system-role messages keep their place and text', (_name, fixture) => {
    const out = anthropicToOpenAIRequest(fixture.body, { upstreamModel: 'local' });
    // The `system` field leads; each system-role message follows the message before it.
    const offset = fixture.body.system === undefined ? 0 : 1;
    let at = offset;
    for (const message of fixture.body.messages) {
      if (message.role === 'system') {
        const blocks = typeof message.content === 'string' ? [] : message.content;
        const first = blocks[0];
        const text = typeof message.content === 'string' ? message.content : first;
        expect(out.messages[at]?.role).toBe('system');
        expect(textOf(out.messages[at])).toContain(
          typeof text === 'string' ? text : text?.type === 'text' ? text.text : '',
        );
      }
      // A user turn of tool results becomes one tool message per result.
      const results = Array.isArray(message.content)
        ? message.content.filter((block) => block.type === 'tool_result').length
        : 0;
      at += results > 0 ? results : 1;
    }
    expect(at).toBe(out.messages.length);
  });

  it.each(recorded)('%s: was sent with ?beta=true and beta features', (_name, fixture) => {
    expect(fixture.url).toBe('/v1/messages?beta=true');
    expect(fixture.headers['anthropic-beta']).toContain('claude-code-20250219');
    expect(fixture.headers).not.toHaveProperty('x-api-key');
  });
});
