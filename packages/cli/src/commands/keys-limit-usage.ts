import { readLimitUsage } from '@mlx-gateway/shared/clients';
import type { LimitedScope } from '@mlx-gateway/shared/clients';
import type { GatewayConfig, RedisStateConfig } from '@mlx-gateway/shared/config';
import { openSecretStore, resolveSecret } from '@mlx-gateway/shared/secrets';
import { openStateStore } from '@mlx-gateway/shared/state';
import type { StateStore } from '@mlx-gateway/shared/state';
import { scopeId } from './limit-usage-reading.js';
import type { ReadUsageOptions, UsageReading } from './limit-usage-reading.js';
import { readProxyUsage } from './proxy-limit-usage.js';

/**
 * The usage of every scope: from Redis when the config names one (the counters every proxy
 * shares, readable with no proxy running), else from the proxy's GET /v1/gateway/limits (with
 * the embedded store the counts exist only in the proxy's memory). `--proxy` asks a proxy in
 * any case.
 */
export async function readUsage(
  config: GatewayConfig | undefined,
  scopes: readonly LimitedScope[],
  options: ReadUsageOptions = {},
): Promise<UsageReading> {
  if (scopes.length === 0) return { usage: new Map() };
  const redis = config?.state?.redis;
  if (options.proxyUrl === undefined && config?.state !== undefined && redis !== undefined) {
    return readRedisUsage(config, redis, scopes);
  }
  if (config === undefined && options.proxyUrl === undefined) {
    return {
      usage: new Map(),
      note: 'usage not shown: without the config the CLI cannot find the state store or the proxy (`--proxy URL` names one)',
    };
  }
  return readProxyUsage(config, scopes, options);
}

async function readRedisUsage(
  config: GatewayConfig,
  redis: RedisStateConfig,
  scopes: readonly LimitedScope[],
): Promise<UsageReading> {
  let store: StateStore | undefined;
  try {
    const ref = redis.password;
    const password =
      ref === undefined
        ? undefined
        : ref.kind === 'env'
          ? await resolveSecret(ref, { env: process.env })
          : await resolveSecret(ref, { store: await openSecretStore(config.home) });
    store = await openStateStore(config.state!, password === undefined ? {} : { password });
    await waitReady(store, redis.connectTimeoutMs);
    const now = Date.now();
    const opened = store;
    const values = await readLimitUsage(
      (keys) => Promise.all(keys.map((key) => opened.counter(key))),
      scopes,
      now,
    );
    const usage = new Map(scopes.map((s, i) => [scopeId(s.kind, s.name), values[i]!]));
    return { source: 'redis', from: redis.url, at: now, usage };
  } catch (err) {
    return {
      usage: new Map(),
      note: `usage not read from Redis at ${redis.url} (state.redis): ${err instanceof Error ? err.message : String(err)}`,
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
