// MLX_STANDIN_RSS_MB: the stand-in holds that much real resident memory while it runs, as a
// loaded model holds its weights, so that tests measure real process memory (RSS), not a figure
// the stand-in reports about itself.

const CHUNK = 16 * 2 ** 20;

/** Kept for the life of the process, so the memory is never collected. */
const held: Buffer[] = [];

/**
 * Allocates `mb` MiB outside the V8 heap and writes every byte, so every page is resident (an
 * allocation alone would only reserve address space). Returns the bytes now held.
 */
export function holdResidentMemory(mb: number): number {
  let left = mb * 2 ** 20;
  while (left > 0) {
    const size = Math.min(CHUNK, left);
    held.push(Buffer.allocUnsafeSlow(size).fill(0x5a));
    left -= size;
  }
  return held.reduce((sum, b) => sum + b.length, 0);
}
