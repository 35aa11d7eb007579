import { describe, expect, it } from 'vitest';
import { ANTHROPIC_PING_FRAME, OPENAI_DONE_FRAME, anthropicFrame, openAIFrame } from './sse.js';

describe('SSE frames', () => {
  it('writes an Anthropic frame with its event name and one JSON data line', () => {
    expect(anthropicFrame('message_stop', { type: 'message_stop' })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  it('keeps newlines inside text escaped on the single data line', () => {
    expect(openAIFrame({ content: 'a\nb' })).toBe('data: {"content":"a\\nb"}\n\n');
  });

  it('has the exact OpenAI terminator and Anthropic ping', () => {
    expect(OPENAI_DONE_FRAME).toBe('data: [DONE]\n\n');
    expect(ANTHROPIC_PING_FRAME).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });
});
