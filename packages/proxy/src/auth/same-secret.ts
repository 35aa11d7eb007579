import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two strings (hashed first, so lengths leak nothing). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
