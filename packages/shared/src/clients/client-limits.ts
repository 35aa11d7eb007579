import { ErrorCodes } from '@mlx-gateway/protocol';
import { z } from 'zod';
import { GatewayError } from '../errors/index.js';

/** A token budget over a calendar period (UTC). */
export interface TokenBudget {
  tokens: number;
  per: 'day' | 'month';
}

/** What one client key may use; each absent limit is no limit. */
export interface ClientLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (reserved from the request's max tokens, settled from its usage). */
  tpm?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  budget?: TokenBudget;
}

const count = () => z.number().int().positive();

/** Built when clients.json is read, not kept: a process holds no schema objects while it serves. */
export function clientLimitsSchema() {
  return z
    .object({
      rpm: count().optional(),
      tpm: count().optional(),
      concurrency: count().optional(),
      budget: z.object({ tokens: count(), per: z.enum(['day', 'month']) }).optional(),
    })
    .strict();
}

/** Copies only the limits that are set (clients.json and listings stay free of `undefined`s). */
export function compactLimits(limits: ClientLimits): ClientLimits | undefined {
  const out: ClientLimits = {};
  if (limits.rpm !== undefined) out.rpm = limits.rpm;
  if (limits.tpm !== undefined) out.tpm = limits.tpm;
  if (limits.concurrency !== undefined) out.concurrency = limits.concurrency;
  if (limits.budget !== undefined) out.budget = { ...limits.budget };
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `1000000/day`, `5m/month`, `200k/day`: a token budget as written on the command line. */
export function parseBudget(text: string): TokenBudget {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*\/\s*(day|month)\s*$/i.exec(text);
  const scale = { '': 1, k: 1_000, m: 1_000_000 } as const;
  const tokens = match
    ? Math.round(Number(match[1]) * scale[match[2]!.toLowerCase() as '' | 'k' | 'm'])
    : 0;
  if (!match || tokens < 1) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      `a budget is TOKENS/day or TOKENS/month, like 1000000/day or 5m/month (got "${text}")`,
    );
  }
  return { tokens, per: match[3]!.toLowerCase() as 'day' | 'month' };
}

/** A positive whole number given for a limit, or a clear error naming it. */
export function parseLimitCount(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new GatewayError(
      ErrorCodes.INVALID_REQUEST,
      `${name} is a whole number above 0 (got "${text}")`,
    );
  }
  return value;
}

/** `rpm 60, tpm 100000, concurrency 4, budget 1000000/day`, or `(none)`. */
export function describeLimits(limits: ClientLimits | undefined): string {
  if (limits === undefined) return '(none)';
  const parts: string[] = [];
  if (limits.rpm !== undefined) parts.push(`rpm ${limits.rpm}`);
  if (limits.tpm !== undefined) parts.push(`tpm ${limits.tpm}`);
  if (limits.concurrency !== undefined) parts.push(`concurrency ${limits.concurrency}`);
  if (limits.budget !== undefined)
    parts.push(`budget ${limits.budget.tokens}/${limits.budget.per}`);
  return parts.length === 0 ? '(none)' : parts.join(', ');
}
