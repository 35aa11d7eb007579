import { readFileSync } from 'node:fs';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { describe, expect, it } from 'vitest';
import {
  checkAnthropicTranslatable,
  checkOpenAITranslatable,
  ignoredFeatures,
  listIgnoredFeatures,
} from './capability-check.js';
import { ANTHROPIC_TO_OPENAI_CAPABILITIES } from './anthropic-to-openai-capabilities.js';
import type { CapabilityMatrix, Disposition } from './capability-matrix.js';
import { OPENAI_TO_ANTHROPIC_CAPABILITIES } from './openai-to-anthropic-capabilities.js';

const docs = readFileSync(new URL('../../../../docs/translation.md', import.meta.url), 'utf8');

/** The docs' list of features with one disposition, inside one direction's section. */
function documented(section: string, disposition: Disposition): string {
  const start = docs.indexOf(`\n## ${section}`);
  const end = docs.indexOf('\n## ', start + 1);
  const lines = docs.slice(start, end).split('\n');
  const heading = { translated: 'Translated', ignored: 'Ignored', rejected: 'Rejected' }[
    disposition
  ];
  const from = lines.findIndex((line) => line.startsWith(heading));
  const to = lines.findIndex(
    (line, i) => i > from && /^(Translated|Ignored|Rejected)|^#/.test(line),
  );
  return lines.slice(from, to).join('\n');
}

function thrownBy(run: () => void): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe.each([
  ['A.', ANTHROPIC_TO_OPENAI_CAPABILITIES],
  ['B.', OPENAI_TO_ANTHROPIC_CAPABILITIES],
] as [string, CapabilityMatrix][])('capability matrix %s', (section, matrix) => {
  it.each(matrix.entries.map((entry) => [entry.feature, entry] as const))(
    'docs/translation.md lists %s with its disposition',
    (feature, entry) => {
      expect(documented(section, entry.disposition)).toContain(`**${feature}**`);
    },
  );

  it('explains every entry', () => {
    for (const entry of matrix.entries) expect(entry.note.length).toBeGreaterThan(10);
  });
});

describe('checkAnthropicTranslatable', () => {
  const chat = (extra: Record<string, unknown>) => ({
    model: 'claude',
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  });

  it('accepts a plain chat request', () => {
    expect(() => checkAnthropicTranslatable(chat({}))).not.toThrow();
  });

  it('names the feature, the request path and the backend kind', () => {
    const error = thrownBy(() => checkAnthropicTranslatable(chat({ n: 2 })));
    expect(error.code).toBe('UNSUPPORTED_FEATURE');
    expect(error.status).toBe(400);
    expect(error.param).toBe('n');
    expect(error.message).toBe(
      'n greater than 1 (n) cannot be translated for Anthropic backends: Anthropic returns one completion per request',
    );
  });

  it.each([
    ['frequency_penalty', { frequency_penalty: 0.2 }],
    ['top_logprobs', { top_logprobs: 3 }],
    ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
    ['verbosity', { verbosity: 'low' }],
    ['web_search_options', { web_search_options: {} }],
    ['functions', { functions: [{ name: 'f' }] }],
    ['function_call', { function_call: 'auto' }],
    ['tools[0]', { tools: [{ type: 'custom', custom: { name: 'x' } }] }],
    ['tool_choice', { tool_choice: { type: 'allowed_tools', allowed_tools: {} } }],
    ['top_k', { reasoning_effort: 'low', top_k: 5 }],
    ['top_p', { reasoning_effort: 'low', top_p: 0.5 }],
    ['tool_choice', { reasoning_effort: 'low', tool_choice: 'required' }],
  ])('rejects the request at %s', (param, extra) => {
    expect(thrownBy(() => checkAnthropicTranslatable(chat(extra))).param).toBe(param);
  });

  it('rejects function role messages', () => {
    const request = chat({ messages: [{ role: 'function', name: 'f', content: 'x' }] });
    expect(thrownBy(() => checkAnthropicTranslatable(request)).param).toBe('messages[0]');
  });

  it('lists the ignored features a request uses', () => {
    const request = chat({
      seed: 1,
      store: true,
      messages: [{ role: 'user', name: 'ann', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'f', strict: true } }],
    });
    expect(listIgnoredFeatures(request, OPENAI_TO_ANTHROPIC_CAPABILITIES)).toStrictEqual([
      'strict function schemas',
      'seed',
      'store',
      'message name',
    ]);
  });
});

describe('checkOpenAITranslatable', () => {
  const messages = (content: unknown) => ({
    model: 'claude',
    max_tokens: 10,
    messages: [{ role: 'user', content }],
  });

  it('finds rejected blocks nested inside a tool_result', () => {
    const request = messages([
      {
        type: 'tool_result',
        tool_use_id: 't',
        content: [{ type: 'search_result', source: 'x', title: 't', content: [] }],
      },
    ]);
    expect(thrownBy(() => checkOpenAITranslatable(request)).param).toBe(
      'messages[0].content[0].content[0]',
    );
  });

  it('rejects mcp_servers and container', () => {
    expect(
      thrownBy(() => checkOpenAITranslatable({ ...messages('x'), mcp_servers: [{}] })).param,
    ).toBe('mcp_servers');
    expect(
      thrownBy(() => checkOpenAITranslatable({ ...messages('x'), container: 'c1' })).param,
    ).toBe('container');
  });

  it('accepts client tools typed custom', () => {
    const request = { ...messages('x'), tools: [{ type: 'custom', name: 'f', input_schema: {} }] };
    expect(() => checkOpenAITranslatable(request)).not.toThrow();
  });

  it('lists cache_control and thinking.display as ignored, not the thinking type', () => {
    const request = {
      ...messages([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }]),
      thinking: { type: 'enabled', budget_tokens: 2048, display: 'omitted' },
    };
    expect(listIgnoredFeatures(request, ANTHROPIC_TO_OPENAI_CAPABILITIES)).toStrictEqual([
      'cache_control',
      'thinking.display',
    ]);
  });

  it('names cache_control once when blocks and tools both carry it', () => {
    const request = {
      ...messages([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }]),
      tools: [{ name: 'f', input_schema: {}, cache_control: { type: 'ephemeral' } }],
    };
    expect(ignoredFeatures(request, ANTHROPIC_TO_OPENAI_CAPABILITIES)).toStrictEqual([
      'cache_control',
    ]);
  });
});
