/** From this length on, Buffer#indexOf (a native call, then memchr speed) beats the JS loop. */
const LONG = 4096;
const QUOTE = 0x22;

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
  /**
   * The needle after its opening quote, for long buffers. Buffer#indexOf runs memchr for the
   * needle's first byte and compares at each hit: a needle that begins with a quote, the
   * commonest byte of JSON, stops it at every string (4.3 µs for 7.7 KB of small events, where
   * the same needle without its quote takes 0.1–0.4 µs). So the rest is searched, and the quote
   * before it checked.
   */
  private readonly afterQuote: Buffer | undefined;

  constructor(readonly needle: Buffer) {
    const m = needle.length;
    if (m === 0 || m > 255) throw new Error('a byte pattern is 1 to 255 bytes long');
    this.shift.fill(m);
    for (let i = 0; i < m - 1; i++) this.shift[needle[i] as number] = m - 1 - i;
    this.afterQuote = m > 1 && needle[0] === QUOTE ? needle.subarray(1) : undefined;
  }

  /** Where the needle first occurs in `buf` from `from`, or -1 (as Buffer#indexOf). */
  indexIn(buf: Buffer, from = 0): number {
    const { needle, shift } = this;
    const n = buf.length;
    if (n - from > LONG) return this.longIndexIn(buf, Math.max(from, 0));
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

  /**
   * Where the needle last begins in `buf` at or before `from`, or -1 (as Buffer#lastIndexOf).
   * A JSON answer's usage closes it: from its end, a short buffer is searched in a JS loop
   * (tens of bytes to look at, where the native call alone costs ~0.2 µs).
   */
  lastIndexIn(buf: Buffer, from = buf.length): number {
    const { needle } = this;
    if (buf.length > LONG) return buf.lastIndexOf(needle, from);
    const m = needle.length;
    const first = needle[0] as number;
    for (let i = Math.min(from, buf.length - m); i >= 0; i--) {
      if (buf[i] !== first) continue;
      let j = 1;
      while (j < m && buf[i + j] === needle[j]) j++;
      if (j === m) return i;
    }
    return -1;
  }

  private longIndexIn(buf: Buffer, from: number): number {
    const rest = this.afterQuote;
    if (rest === undefined) return buf.indexOf(this.needle, from);
    let at = buf.indexOf(rest, from + 1);
    while (at !== -1 && buf[at - 1] !== QUOTE) at = buf.indexOf(rest, at + 1);
    return at === -1 ? -1 : at - 1;
  }
}
