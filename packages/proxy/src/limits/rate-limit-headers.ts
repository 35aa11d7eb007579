import type { ServerResponse } from 'node:http';
import type { ClientFormat } from '../api/client-format.js';

/** One limit's state as the headers report it. */
export interface LimitReading {
  limit: number;
  remaining: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
}

/** OpenAI's reset form: `1s`, `6m0s`, `1h2m3s` (what its SDKs and tools parse). */
export function openAIDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * Sets the rate-limit headers of the caller's API on the response (kept by Node until the head
 * is written, whoever writes it): `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` on
 * the OpenAI API, `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}` (RFC 3339
 * resets) on the Anthropic API.
 */
export function setRateLimitHeaders(
  res: ServerResponse,
  format: ClientFormat,
  now: number,
  requests: LimitReading | undefined,
  tokens: LimitReading | undefined,
): void {
  if (res.headersSent) return;
  const readings: [string, LimitReading | undefined][] = [
    ['requests', requests],
    ['tokens', tokens],
  ];
  for (const [kind, reading] of readings) {
    if (reading === undefined) continue;
    const remaining = String(Math.max(0, reading.remaining));
    if (format.name === 'anthropic') {
      res.setHeader(`anthropic-ratelimit-${kind}-limit`, String(reading.limit));
      res.setHeader(`anthropic-ratelimit-${kind}-remaining`, remaining);
      res.setHeader(
        `anthropic-ratelimit-${kind}-reset`,
        new Date(reading.resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      );
    } else {
      res.setHeader(`x-ratelimit-limit-${kind}`, String(reading.limit));
      res.setHeader(`x-ratelimit-remaining-${kind}`, remaining);
      res.setHeader(`x-ratelimit-reset-${kind}`, openAIDuration(reading.resetAt - now));
    }
  }
}
