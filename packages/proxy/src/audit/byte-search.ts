/** From this length on, Buffer#indexOf (a native call, then memchr speed) beats the JS loop. */
const LONG = 4096;

/**
 * A fixed needle searched for in the short buffers of a stream (a relayed event is a few dozen
 * to a few hundred bytes, and the scans for the first token and the usage run on every batch).
 * A Horspool search: the byte under the needle's last position says how far the needle may
 * jump, so a 196-byte OpenAI chunk is searched for `"usage":` in about 30 reads (~70 ns),
 * where Buffer#indexOf with a Buffer needle costs ~200 ns and a byte-by-byte loop stops at
 * every quote. Long buffers go to Buffer#indexOf.
 */
export class BytePattern {
  private readonly shift = new Uint8Array(256);

  constructor(readonly needle: Buffer) {
    const m = needle.length;
    if (m === 0 || m > 255) throw new Error('a byte pattern is 1 to 255 bytes long');
    this.shift.fill(m);
    for (let i = 0; i < m - 1; i++) this.shift[needle[i] as number] = m - 1 - i;
  }

  /** Where the needle first occurs in `buf` from `from`, or -1 (as Buffer#indexOf). */
  indexIn(buf: Buffer, from = 0): number {
    const { needle, shift } = this;
    const n = buf.length;
    if (n - from > LONG) return buf.indexOf(needle, from);
    const m = needle.length;
    const last = needle[m - 1] as number;
    let i = Math.max(from, 0) + m - 1;
    while (i < n) {
      const c = buf[i] as number;
      if (c === last) {
        let j = 1;
        while (j < m && buf[i - j] === needle[m - 1 - j]) j++;
        if (j === m) return i - m + 1;
      }
      i += shift[c] as number;
    }
    return -1;
  }
}
