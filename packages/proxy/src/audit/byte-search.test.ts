import { describe, expect, it } from 'vitest';
import { BytePattern } from './byte-search.js';

describe('BytePattern', () => {
  it('finds what Buffer#indexOf finds, in short and long buffers, from an offset', () => {
    for (const needle of ['"usage":', '"delta"', 'content_block_delta', 'a', 'aa']) {
      const pattern = new BytePattern(Buffer.from(needle));
      for (const text of [
        'data: {"usage":{}}\n\n',
        'data: {"i":1}\n\n',
        '"usage:"usage":',
        `${'x'.repeat(600)}"usage":${'y'.repeat(10)}"usage":`,
        `${'z'.repeat(5000)}"delta"content_block_delta`,
        '"usag',
        'aaaa "delt "delta" content_block_delt',
        '',
        // Long: the needle's rest without its quote first (a false hit), then whole.
        `${'q'.repeat(5000)}usage": xdelta" "usag "usage": "delta"`,
        `"usage":${'r'.repeat(5000)}`,
        `${'"'.repeat(5000)}usage":`,
      ]) {
        const buf = Buffer.from(text);
        for (const from of [0, 1, 9, 5001, 5008]) {
          expect(pattern.indexIn(buf, from)).toBe(buf.indexOf(needle, from));
        }
      }
    }
  });

  it('finds what Buffer#lastIndexOf finds, in short and long buffers, up to an offset', () => {
    for (const needle of ['"usage":', 'a', 'aa']) {
      const pattern = new BytePattern(Buffer.from(needle));
      for (const text of [
        '{"usage":{"prompt_tokens":1}}',
        '{"id":"x","usage":null,"choices":[],"usage":{"a":1}}',
        '"usage":',
        '"usage',
        'aaa',
        '',
        `"usage":${'s'.repeat(5000)}"usage":${'t'.repeat(10)}`,
      ]) {
        const buf = Buffer.from(text);
        for (const from of [undefined, 0, 1, 7, 8, 20, 5007, 9000]) {
          const expected =
            from === undefined ? buf.lastIndexOf(needle) : buf.lastIndexOf(needle, from);
          expect(pattern.lastIndexIn(buf, from)).toBe(expected);
        }
      }
    }
  });

  it('refuses an empty needle', () => {
    expect(() => new BytePattern(Buffer.alloc(0))).toThrow(/1 to 255/);
  });
});
