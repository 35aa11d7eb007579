import { describe, expect, it } from 'vitest';
import { indexOfBytes } from './byte-search.js';

describe('indexOfBytes', () => {
  it('finds what Buffer#indexOf finds, in short and long buffers, from an offset', () => {
    const needle = Buffer.from('"usage":');
    for (const text of [
      'data: {"usage":{}}\n\n',
      'data: {"i":1}\n\n',
      '"usage:"usage":',
      `${'x'.repeat(600)}"usage":${'y'.repeat(10)}"usage":`,
      '"usag',
      '',
    ]) {
      const buf = Buffer.from(text);
      for (const from of [0, 1, 9]) {
        expect(indexOfBytes(buf, needle, from)).toBe(buf.indexOf(needle, from));
      }
    }
  });
});
