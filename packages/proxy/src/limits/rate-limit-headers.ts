import type { ClientFormat } from '../api/client-format.js';

/**
 * Where a check's headers go: the client's response, or a scratch one that keeps a fallback
 * model's until it is known whether the client gets them (header-scratch.ts).
 */
export interface HeaderSink {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
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

/** The header names of one kind of limit (`requests`, `tokens`) in one API's spelling. */
export interface HeaderNames {
  limit: string;
  remaining: string;
  reset: string;
}

const names = (format: 'openai' | 'anthropic', kind: 'requests' | 'tokens'): HeaderNames =>
  format === 'anthropic'
    ? {
        limit: `anthropic-ratelimit-${kind}-limit`,
        remaining: `anthropic-ratelimit-${kind}-remaining`,
        reset: `anthropic-ratelimit-${kind}-reset`,
      }
    : {
        limit: `x-ratelimit-limit-${kind}`,
        remaining: `x-ratelimit-remaining-${kind}`,
        reset: `x-ratelimit-reset-${kind}`,
      };

const NAMES = {
  openai: { requests: names('openai', 'requests'), tokens: names('openai', 'tokens') },
  anthropic: { requests: names('anthropic', 'requests'), tokens: names('anthropic', 'tokens') },
};

/** The names of one kind's headers in the caller's API. */
export function rateLimitHeaderNames(
  format: ClientFormat,
  kind: 'requests' | 'tokens',
): Readonly<HeaderNames> {
  return (format.name === 'anthropic' ? NAMES.anthropic : NAMES.openai)[kind];
}

/** Reset texts are the same for every request of a window (or of a second): made once. */
const openAIResets: string[] = [];
let rfcResetAt = -1;
let rfcReset = '';

function resetText(anthropic: boolean, resetAt: number, now: number): string {
  if (anthropic) {
    if (resetAt !== rfcResetAt) {
      rfcResetAt = resetAt;
      rfcReset = `${new Date(resetAt).toISOString().slice(0, 19)}Z`;
    }
    return rfcReset;
  }
  const seconds = Math.max(0, Math.ceil((resetAt - now) / 1000));
  if (seconds > 3600) return openAIDuration(resetAt - now);
  return (openAIResets[seconds] ??= openAIDuration(seconds * 1000));
}

/**
 * Sets the rate-limit headers of one kind of limit (`requests`, `tokens`) in the caller's API
 * on the response (kept by Node until the head is written, whoever writes it):
 * `x-ratelimit-{limit,remaining,reset}-{kind}` on the OpenAI API,
 * `anthropic-ratelimit-{kind}-{limit,remaining,reset}` (RFC 3339 resets) on the Anthropic API.
 * Names, limits and resets are precomputed strings; only `remaining` is made per request.
 */
export function setRateLimitHeaders(
  res: HeaderSink,
  format: ClientFormat,
  kind: 'requests' | 'tokens',
  /** The limit as header text (made once per limit, not per request). */
  limitText: string,
  remaining: number,
  /** Epoch ms when the window ends. */
  resetAt: number,
  now: number,
): void {
  if (res.headersSent) return;
  const anthropic = format.name === 'anthropic';
  const header = (anthropic ? NAMES.anthropic : NAMES.openai)[kind];
  res.setHeader(header.limit, limitText);
  res.setHeader(header.remaining, remaining > 0 ? String(remaining) : '0');
  res.setHeader(header.reset, resetText(anthropic, resetAt, now));
}
