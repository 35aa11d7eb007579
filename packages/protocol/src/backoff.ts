export interface BackoffOptions {
  /** First delay, ms. */
  minMs: number;
  /** Largest delay, ms. */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (0-based): doubles from `minMs` up to `maxMs`, with
 * "equal jitter" (half fixed, half random) so that many clients do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  { minMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
