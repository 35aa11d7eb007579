import { parseBudget, parseLimitCount } from '@mlx-gateway/shared/clients';
import type { ClientLimits } from '@mlx-gateway/shared/clients';

/** The limit options of `keys create-client` and `keys set-limits`, as typed. */
export interface LimitOptions {
  rpm?: string;
  tpm?: string;
  concurrency?: string;
  budget?: string;
}

/** The limits the options give (undefined when none was given). */
export function limitsFromOptions(opts: LimitOptions): ClientLimits | undefined {
  const limits: ClientLimits = {};
  if (opts.rpm !== undefined) limits.rpm = parseLimitCount('--rpm', opts.rpm);
  if (opts.tpm !== undefined) limits.tpm = parseLimitCount('--tpm', opts.tpm);
  if (opts.concurrency !== undefined) {
    limits.concurrency = parseLimitCount('--concurrency', opts.concurrency);
  }
  if (opts.budget !== undefined) limits.budget = parseBudget(opts.budget);
  return Object.keys(limits).length === 0 ? undefined : limits;
}
