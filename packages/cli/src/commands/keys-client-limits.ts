import {
  budgetWindow,
  describeLimits,
  limitKeys,
  minuteWindow,
  parseBudget,
  parseLimitCount,
} from '@mlx-gateway/shared/clients';
import type { ClientKeyInfo, ClientLimits } from '@mlx-gateway/shared/clients';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { openSecretStore, resolveSecret } from '@mlx-gateway/shared/secrets';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';

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

/**
 * One key's usage against its limits, read from the shared Redis store (`state.redis`): the
 * counters of the current minute, the budget's day or month and the requests in flight.
 */
async function usageLine(store: StateStore, client: ClientKeyInfo, now: number): Promise<string> {
  const limits = client.limits;
  if (limits === undefined) return '';
  const minute = minuteWindow(now);
  const parts: string[] = [];
  if (limits.rpm !== undefined) {
    parts.push(`${await store.counter(limitKeys.requests(client.name, minute))}/${limits.rpm} rpm`);
  }
  if (limits.tpm !== undefined) {
    parts.push(`${await store.counter(limitKeys.tokens(client.name, minute))}/${limits.tpm} tpm`);
  }
  if (limits.concurrency !== undefined) {
    const inflight = Math.max(0, await store.counter(limitKeys.inflight(client.name)));
    parts.push(`${inflight}/${limits.concurrency} in flight`);
  }
  if (limits.budget !== undefined) {
    const window = budgetWindow(limits.budget.per, now);
    const used = await store.counter(limitKeys.budget(client.name, window));
    parts.push(`${used}/${limits.budget.tokens} this ${limits.budget.per}`);
  }
  return parts.join(', ');
}

/**
 * The USAGE column of `keys list-clients`: read from Redis when the config names one; with the
 * embedded store the counts live in the running proxy's memory, which the CLI cannot read.
 */
export async function usageColumn(
  config: GatewayConfig | undefined,
  clients: ClientKeyInfo[],
): Promise<{ values: string[]; note?: string }> {
  const redis = config?.state?.redis;
  if (config?.state === undefined || redis === undefined) {
    return {
      values: clients.map(() => ''),
      note: 'usage is counted in the proxy (embedded state store); configure `state.redis` to see it here',
    };
  }
  let store: StateStore | undefined;
  try {
    const ref = redis.password;
    const password =
      ref === undefined
        ? undefined
        : ref.kind === 'env'
          ? await resolveSecret(ref, { env: process.env })
          : await resolveSecret(ref, { store: await openSecretStore(config.home) });
    store = await openStateStore(config.state, password === undefined ? {} : { password });
    await waitReady(store, redis.connectTimeoutMs);
    const now = Date.now();
    return { values: await Promise.all(clients.map((c) => usageLine(store!, c, now))) };
  } catch (err) {
    return {
      values: clients.map(() => '?'),
      note: `usage not read from Redis: ${err instanceof Error ? err.message : String(err)}`,
    };
  } finally {
    await store?.close();
  }
}

function waitReady(store: StateStore, timeoutMs: number): Promise<void> {
  if (store.health() === 'ok') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not answer in time')), timeoutMs);
    store.onHealthChange((health) => {
      if (health !== 'ok') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

export { describeLimits };
