import { z } from 'zod';
import { parseBudget } from '../clients/client-limits.js';
import type { ClientLimits } from '../clients/client-limits.js';
import { onePerPass } from './one-per-pass.js';
import { issue, section } from './schema-fields.js';

/**
 * A model's limits (`limits:` on any model entry): the same kinds as a client key's, counted
 * for the model across every caller. `budget` is written as on the command line (`5m/month`)
 * or as `{ tokens, per }`.
 */
export type ModelLimits = ClientLimits;

const count = () => z.number().int().positive();

function budgetField() {
  return z.unknown().transform((value, ctx): ModelLimits['budget'] => {
    if (typeof value === 'string') {
      try {
        return parseBudget(value);
      } catch (err) {
        // parseBudget's message already shows the value.
        issue(ctx, (err as Error).message, value, { params: { got: false } });
        return z.NEVER;
      }
    }
    const parsed = z
      .object({ tokens: count(), per: z.enum(['day', 'month']) })
      .strict()
      .safeParse(value);
    if (parsed.success) return parsed.data;
    issue(ctx, 'expected TOKENS/day or TOKENS/month (like 5m/month), or { tokens, per }', value);
    return z.NEVER;
  });
}

export function modelLimitsField() {
  return onePerPass('model-limits', () =>
    section({
      rpm: count().optional(),
      tpm: count().optional(),
      concurrency: count().optional(),
      budget: budgetField().optional(),
    }),
  );
}

/** The limits that are set, or undefined when none is (no work on the request path then). */
export function compileModelLimits(raw: {
  rpm?: number | undefined;
  tpm?: number | undefined;
  concurrency?: number | undefined;
  budget?: ModelLimits['budget'] | undefined;
}): ModelLimits | undefined {
  const out: ModelLimits = {};
  if (raw.rpm !== undefined) out.rpm = raw.rpm;
  if (raw.tpm !== undefined) out.tpm = raw.tpm;
  if (raw.concurrency !== undefined) out.concurrency = raw.concurrency;
  if (raw.budget !== undefined) out.budget = raw.budget;
  return Object.keys(out).length === 0 ? undefined : out;
}
