import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_TO_OPENAI_FINISH,
  OPENAI_TO_ANTHROPIC_STOP,
  toAnthropicStopReason,
  toOpenAIFinishReason,
} from './stop-reasons.js';

describe('toOpenAIFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['pause_turn', 'length'],
    ['refusal', 'content_filter'],
  ])('maps %s to %s', (stop, finish) => {
    expect(toOpenAIFinishReason(stop)).toBe(finish);
  });

  it('covers every documented Anthropic stop reason in its table', () => {
    expect(Object.keys(ANTHROPIC_TO_OPENAI_FINISH).sort()).toStrictEqual(
      [
        'end_turn',
        'max_tokens',
        'model_context_window_exceeded',
        'pause_turn',
        'refusal',
        'stop_sequence',
        'tool_use',
      ].sort(),
    );
  });

  it('maps unknown, null and inherited property names to stop by the documented rule', () => {
    expect(toOpenAIFinishReason('something_new')).toBe('stop');
    expect(toOpenAIFinishReason(null)).toBe('stop');
    expect(toOpenAIFinishReason('constructor')).toBe('stop');
  });
});

describe('toAnthropicStopReason', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
  ])('maps %s to %s', (finish, stop) => {
    expect(toAnthropicStopReason(finish, false)).toBe(stop);
  });

  it('covers every OpenAI finish reason in its table', () => {
    expect(Object.keys(OPENAI_TO_ANTHROPIC_STOP).sort()).toStrictEqual(
      ['content_filter', 'function_call', 'length', 'stop', 'tool_calls'].sort(),
    );
  });

  it('maps unknown or missing finish reasons to end_turn by the documented rule', () => {
    expect(toAnthropicStopReason('eos', false)).toBe('end_turn');
    expect(toAnthropicStopReason(undefined, false)).toBe('end_turn');
  });

  it('reports tool_use when tool calls were produced and the upstream said stop or nothing', () => {
    expect(toAnthropicStopReason('stop', true)).toBe('tool_use');
    expect(toAnthropicStopReason(undefined, true)).toBe('tool_use');
  });

  it('keeps length and content_filter even when tool calls were produced', () => {
    expect(toAnthropicStopReason('length', true)).toBe('max_tokens');
    expect(toAnthropicStopReason('content_filter', true)).toBe('refusal');
  });
});
