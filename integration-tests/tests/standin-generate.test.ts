// The stand-in's deterministic "model": answers tests can predict, tool arguments that satisfy
// the tool's schema, embeddings that are stable, and the load schedule.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_REQUEST_BEHAVIOUR } from '../standin/behaviour.js';
import { embed, fromBase64, toBase64 } from '../standin/embeddings.js';
import {
  exampleArguments,
  planChat,
  replyTokens,
  splitArguments,
  tokenize,
} from '../standin/generate.js';
import { startLoading } from '../standin/loading.js';
import type { ChatRequest } from '../standin/requests.js';

function chat(overrides: Partial<ChatRequest>): ChatRequest {
  return {
    model: undefined,
    messages: [{ role: 'user', text: 'hello brave new world' }],
    stream: false,
    maxTokens: undefined,
    includeUsage: false,
    tools: [],
    toolChoice: { kind: 'auto' },
    parallelToolCalls: true,
    ...overrides,
  };
}

const weather = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer' },
      metric: { type: 'boolean' },
    },
    required: ['city', 'days'],
  },
};
const search = { name: 'search', parameters: { type: 'object', properties: {}, required: [] } };

describe('stand-in answers', () => {
  it('echoes the words of the last user message, cycled to the token count', () => {
    expect(replyTokens('hello brave new world', 6).join('')).toBe(
      'hello brave new world hello brave',
    );
    expect(replyTokens('   ', 2)).toEqual(['ok', ' ok']);
    expect(tokenize('a  b\nc')).toEqual(['a', ' b', ' c']);
  });

  it('caps the answer at max_tokens and then finishes with "length"', () => {
    const capped = planChat(chat({ maxTokens: 2 }), DEFAULT_REQUEST_BEHAVIOUR);
    expect(capped).toMatchObject({
      kind: 'text',
      tokens: ['hello', ' brave'],
      finishReason: 'length',
    });
    const full = planChat(chat({ maxTokens: 100 }), { ...DEFAULT_REQUEST_BEHAVIOUR, tokens: 3 });
    expect(full).toMatchObject({ tokens: ['hello', ' brave', ' new'], finishReason: 'stop' });
  });

  it('calls the first tool with its required parameters filled from the schema', () => {
    const plan = planChat(chat({ tools: [weather, search] }), DEFAULT_REQUEST_BEHAVIOUR);
    expect(plan.kind).toBe('tools');
    if (plan.kind !== 'tools') return;
    expect(plan.calls).toHaveLength(1);
    expect(plan.calls[0]?.name).toBe('get_weather');
    expect(JSON.parse(plan.calls[0]?.arguments ?? '')).toEqual({ city: 'example', days: 1 });
    expect(plan.calls[0]?.id).toMatch(/^call_\d+$/);
  });

  it('answers in text with tool_choice auto when tools are called only when asked, still calls a named tool', () => {
    const off = { ...DEFAULT_REQUEST_BEHAVIOUR, toolCalls: 'asked' as const };
    expect(planChat(chat({ tools: [weather, search] }), off).kind).toBe('text');
    const named = planChat(
      chat({ tools: [weather, search], toolChoice: { kind: 'named', name: 'search' } }),
      off,
    );
    expect(named.kind).toBe('tools');
  });

  it('calls the named tool, two tools in parallel mode, none with tool_choice none', () => {
    const named = planChat(
      chat({ tools: [weather, search], toolChoice: { kind: 'named', name: 'search' } }),
      { ...DEFAULT_REQUEST_BEHAVIOUR, parallelTools: true },
    );
    expect(named.kind === 'tools' && named.calls.map((call) => call.name)).toEqual(['search']);
    const parallel = planChat(chat({ tools: [weather, search] }), {
      ...DEFAULT_REQUEST_BEHAVIOUR,
      parallelTools: true,
    });
    expect(parallel.kind === 'tools' && parallel.calls.map((call) => call.name)).toEqual([
      'get_weather',
      'search',
    ]);
    const serial = planChat(chat({ tools: [weather, search], parallelToolCalls: false }), {
      ...DEFAULT_REQUEST_BEHAVIOUR,
      parallelTools: true,
    });
    expect(serial.kind === 'tools' && serial.calls).toHaveLength(1);
    expect(
      planChat(chat({ tools: [weather], toolChoice: { kind: 'none' } }), DEFAULT_REQUEST_BEHAVIOUR)
        .kind,
    ).toBe('text');
  });

  it('calls the tool the user asks for, with the arguments written, until a result answers it', () => {
    const asks = 'please call-tool:search {"q": "gateway"} now';
    const asked = (behaviour = DEFAULT_REQUEST_BEHAVIOUR) =>
      planChat(
        chat({
          tools: [weather, search],
          // An agent client's environment note may follow the user's message.
          messages: [
            { role: 'user', text: asks },
            { role: 'system', text: 'env' },
          ],
        }),
        behaviour,
      );
    for (const toolCalls of ['auto', 'asked'] as const) {
      const plan = asked({ ...DEFAULT_REQUEST_BEHAVIOUR, toolCalls });
      expect(plan.kind === 'tools' && plan.calls.map((call) => call.name)).toEqual(['search']);
      expect(plan.kind === 'tools' && JSON.parse(plan.calls[0]?.arguments ?? '')).toEqual({
        q: 'gateway',
      });
    }
    const withoutJson = planChat(
      chat({ tools: [weather], messages: [{ role: 'user', text: 'call-tool:get_weather' }] }),
      DEFAULT_REQUEST_BEHAVIOUR,
    );
    expect(
      withoutJson.kind === 'tools' && JSON.parse(withoutJson.calls[0]?.arguments ?? ''),
    ).toEqual({ city: 'example', days: 1 });
    const answered = planChat(
      chat({
        tools: [weather, search],
        messages: [
          { role: 'user', text: asks },
          { role: 'assistant', text: '' },
          { role: 'tool', text: 'found it' },
        ],
      }),
      { ...DEFAULT_REQUEST_BEHAVIOUR, tokens: 4 },
    );
    expect(answered).toMatchObject({ kind: 'text', tokens: ['Tool', ' said:', ' found', ' it'] });
  });

  it('calls no tool unasked in the asked mode, nor one that is not offered', () => {
    const quiet = { ...DEFAULT_REQUEST_BEHAVIOUR, toolCalls: 'asked' as const };
    expect(planChat(chat({ tools: [weather, search] }), quiet).kind).toBe('text');
    const unknown = chat({ tools: [weather], messages: [{ role: 'user', text: 'call-tool:rm' }] });
    expect(planChat(unknown, quiet).kind).toBe('text');
  });

  it('answers a tool result with text quoting it', () => {
    const plan = planChat(
      chat({
        tools: [weather],
        messages: [
          { role: 'user', text: 'weather?' },
          { role: 'assistant', text: '' },
          { role: 'tool', text: 'sunny 21C' },
        ],
      }),
      { ...DEFAULT_REQUEST_BEHAVIOUR, tokens: 4 },
    );
    expect(plan.kind === 'text' && plan.tokens.join('')).toBe('Tool said: sunny 21C');
  });

  it('builds example values for every JSON-schema type', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: {
          s: { type: 'string' },
          n: { type: 'number' },
          b: { type: 'boolean' },
          e: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          a: { type: 'array', items: { type: 'integer' } },
          o: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
          nullable: { type: ['null', 'number'] },
          u: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
          skipped: { type: 'string' },
        },
        required: ['s', 'n', 'b', 'e', 'a', 'o', 'nullable', 'u'],
      }),
    ).toEqual({
      s: 'example',
      n: 1,
      b: true,
      e: 'celsius',
      a: [1],
      o: { x: 'example' },
      nullable: 1,
      u: true,
    });
    expect(exampleArguments(undefined)).toEqual({});
  });

  it('splits tool arguments into several deltas that join back to the JSON', () => {
    const json = JSON.stringify({ city: 'example', days: 1 });
    const pieces = splitArguments(json);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join('')).toBe(json);
    expect(splitArguments('{}')).toEqual(['{', '}']);
  });

  it('emits reasoning tokens before the answer when reasoning is on', () => {
    const plan = planChat(chat({}), { ...DEFAULT_REQUEST_BEHAVIOUR, reasoning: true });
    expect(plan.reasoning.join('')).toBe('Let me think about this.');
  });
});

describe('stand-in embeddings', () => {
  it('gives equal inputs equal unit vectors and different inputs different ones', () => {
    const a = embed('alpha');
    expect(a).toHaveLength(16);
    expect(embed('alpha')).toEqual(a);
    expect(embed('beta')).not.toEqual(a);
    const norm = Math.sqrt(a.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(embed('alpha', 100)).toHaveLength(100);
  });

  it('round-trips through the base64 float32 encoding', () => {
    const vector = embed('gamma');
    expect(fromBase64(toBase64(vector))).toEqual(vector);
  });
});

describe('stand-in load schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function hooks() {
    return { progress: vi.fn(), ready: vi.fn(), crash: vi.fn(), failed: vi.fn() };
  }

  it('beats every progressMs and becomes ready after loadMs, then stops beating', () => {
    vi.useFakeTimers();
    const h = hooks();
    startLoading({ loadMs: 1000, progressMs: 300, fail: 'none' }, h, () => Date.now());
    vi.advanceTimersByTime(999);
    expect(h.progress).toHaveBeenCalledTimes(3);
    expect(h.ready).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(h.ready).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(h.progress).toHaveBeenCalledTimes(3);
  });

  it('crashes or fails half-way, and never-ready only beats', () => {
    vi.useFakeTimers();
    const crash = hooks();
    startLoading({ loadMs: 1000, progressMs: 100, fail: 'crash-during-load' }, crash);
    vi.advanceTimersByTime(500);
    expect(crash.crash).toHaveBeenCalledTimes(1);
    const failed = hooks();
    startLoading({ loadMs: 1000, progressMs: 100, fail: 'exit0-after-error' }, failed);
    vi.advanceTimersByTime(500);
    expect(failed.failed).toHaveBeenCalledTimes(1);
    const never = hooks();
    const loading = startLoading({ loadMs: 10, progressMs: 100, fail: 'never-ready' }, never);
    vi.advanceTimersByTime(60_000);
    expect(never.progress).toHaveBeenCalledTimes(600);
    expect(never.ready).not.toHaveBeenCalled();
    loading.cancel();
    vi.advanceTimersByTime(1000);
    expect(never.progress).toHaveBeenCalledTimes(600);
  });
});
