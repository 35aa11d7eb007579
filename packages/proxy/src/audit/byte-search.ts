/** Below this length a JS loop beats Buffer#indexOf, whose call into C++ costs ~200 ns. */
const SHORT = 512;

/**
 * Where `needle` first occurs in `buf` from `from`, or -1: Buffer#indexOf for long buffers, a
 * plain loop for short ones (a stream's events are mostly a few dozen bytes, and the scans for
 * the first token and the usage run on every one of them).
 */
export function indexOfBytes(buf: Buffer, needle: Buffer, from = 0): number {
  if (buf.length - from > SHORT) return buf.indexOf(needle, from);
  const first = needle[0];
  const last = buf.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    if (buf[i] !== first) continue;
    for (let j = 1; j < needle.length; j++) {
      if (buf[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}
