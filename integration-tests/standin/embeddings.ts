// Deterministic embeddings: a unit vector derived from SHA-256 of the input, so equal inputs give
// equal vectors and different inputs (almost surely) different ones.
import { createHash } from 'node:crypto';

export const DEFAULT_EMBEDDING_DIMENSIONS = 16;

/** The embedding of `text`: `dimensions` floats in [-1, 1] scaled to length 1. */
export function embed(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const bytes: number[] = [];
  for (let block = 0; bytes.length < dimensions * 2; block += 1) {
    bytes.push(...createHash('sha256').update(`${block}:${text}`).digest());
  }
  const raw = Array.from({ length: dimensions }, (_, index) => {
    const high = bytes[index * 2] ?? 0;
    const low = bytes[index * 2 + 1] ?? 0;
    return ((high << 8) | low) / 32767.5 - 1;
  });
  const norm = Math.sqrt(raw.reduce((sum, value) => sum + value * value, 0)) || 1;
  // Round through float32 so the float and base64 encodings carry the same numbers.
  return raw.map((value) => Math.fround(value / norm));
}

/** The base64 form OpenAI clients ask for: little-endian float32 values. */
export function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** Decodes the base64 form back into numbers. */
export function fromBase64(encoded: string): number[] {
  const bytes = Uint8Array.from(Buffer.from(encoded, 'base64'));
  return Array.from(new Float32Array(bytes.buffer));
}
