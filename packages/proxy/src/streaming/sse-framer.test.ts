import { describe, expect, it } from 'vitest';
import { SseFramer, lastEventEnd } from './sse-framer.js';

const b = (text: string): Buffer => Buffer.from(text);
const text = (buf: Buffer | undefined): string | undefined => buf?.toString();

describe('lastEventEnd', () => {
  it.each([
    ['data: a\n\n', 9],
    ['data: a\r\n\r\n', 11],
    ['data: a\r\rdata: b', 9],
    ['data: a\n\ndata: b\n\ndata: c', 18],
    ['data: a\n', -1],
    ['data: a\r\n', -1],
  ])('finds the end of the last complete event in %j', (input, end) => {
    expect(lastEventEnd(b(input))).toBe(end);
  });
});

describe('SseFramer', () => {
  it('passes whole events through untouched, as the same bytes', () => {
    const framer = new SseFramer();
    const chunk = b('data: {"a":1}\n\ndata: {"a":2}\n\n');
    expect(framer.push(chunk)).toBe(chunk);
    expect(framer.pending).toBe(0);
  });

  it('holds a partial event until its end arrives', () => {
    const framer = new SseFramer();
    expect(framer.push(b('data: {"a"'))).toBeUndefined();
    expect(framer.push(b(':1}\n'))).toBeUndefined();
    expect(text(framer.push(b('\ndata: {"b"')))).toBe('data: {"a":1}\n\n');
    expect(framer.pending).toBe(10);
    expect(text(framer.push(b(':2}\n\n')))).toBe('data: {"b":2}\n\n');
  });

  it('finds an event end split across two chunks', () => {
    const framer = new SseFramer();
    expect(framer.push(b('data: x\r\n\r'))).toBeUndefined();
    expect(text(framer.push(b('\ndata: y')))).toBe('data: x\r\n\r\n');
    expect(text(framer.flush())).toBe('data: y');
  });

  it('flushes what is held when the stream ends without a blank line', () => {
    const framer = new SseFramer();
    framer.push(b('data: [DONE]'));
    expect(text(framer.flush())).toBe('data: [DONE]');
    expect(framer.flush()).toBeUndefined();
  });

  it('does not hold an oversized partial event forever', () => {
    const framer = new SseFramer();
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    expect(framer.push(big)?.length).toBe(big.length);
    expect(framer.pending).toBe(0);
  });
});
