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

  it('refuses an empty needle', () => {
    expect(() => new BytePattern(Buffer.alloc(0))).toThrow(/1 to 255/);
  });
});
