import { describe, expect, it } from 'vitest';
import { AnchorIndex } from './anchor-index.js';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('AnchorIndex', () => {
  it('finds an anchor at every position of a text and of bytes', () => {
    const anchors = ['sk-ben', 'q3Lm', 'mgw-Zr', 'Zr8H'];
    const index = new AnchorIndex(anchors);
    for (const anchor of anchors) {
      for (let at = 0; at < 12; at++) {
        for (let after = 0; after < 4; after++) {
          const text = `${'.'.repeat(at)}${anchor}${'.'.repeat(after)}`;
          expect(index.inText(text)).toBe(true);
          expect(index.inBytes(Buffer.from(text, 'latin1'))).toBe(true);
        }
      }
    }
  });

  it('agrees with a plain substring search on random texts (fuzzed)', () => {
    const next = random(7);
    const alphabet = 'abcdsk-en3Lmq"{}: ';
    const anchors = ['sk-ben', 'q3Lm', 'en3L', 'dd"{'];
    const index = new AnchorIndex(anchors);
    for (let round = 0; round < 3000; round++) {
      const length = Math.floor(next() * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      if (next() < 0.3) {
        const anchor = anchors[Math.floor(next() * anchors.length)] as string;
        const at = Math.floor(next() * (text.length + 1));
        text = text.slice(0, at) + anchor + text.slice(at);
      }
      const expected = anchors.some((a) => text.includes(a));
      expect(index.inText(text)).toBe(expected);
      expect(index.inBytes(Buffer.from(text, 'latin1'))).toBe(expected);
    }
  });

  it('compares characters beyond latin1 in full, whatever their hashed bigram', () => {
    const index = new AnchorIndex(['ключ-42']);
    expect(index.inText('a ключ-42 b')).toBe(true);
    // Same low bytes, other characters: the table hits, the comparison refuses.
    const lookalike = String.fromCharCode(...[...'ключ-42'].map((c) => c.charCodeAt(0) ^ 0x100));
    expect(index.inText(`a ${lookalike} b`)).toBe(false);
  });

  it('finds nothing with no anchors, and refuses anchors shorter than 4', () => {
    expect(new AnchorIndex([]).inText('anything at all')).toBe(false);
    expect(new AnchorIndex([]).inBytes(Buffer.from('anything'))).toBe(false);
    expect(() => new AnchorIndex(['abc'])).toThrow(/4 characters/);
  });
});
