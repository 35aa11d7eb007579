import type { Dispatcher, Pool } from 'undici';
import { loadConfig, RouteTable } from '@mlx-gateway/shared/config';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { Clock } from '@mlx-gateway/shared/clock';
import { createRequestListener, type AppDeps } from './app.js';
import { AnthropicBackend } from './backends/anthropic-backend.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { LocalBackend } from './backends/local-backend.js';
import { OpenAIBackend } from './backends/openai-backend.js';
import type { SecretCache } from './backends/secret-cache.js';
import type { LeaseManager } from './leases/lease-manager.js';
import type { TurnClient } from './leases/turn-client.js';
import type { ProxyLogger } from './logging/logger.js';
import type { ProxyGeneration } from './proxy-generations.js';
import { ModelRouter } from './routing/model-router.js';
import type { ModelSupervisor } from './supervisor/model-supervisor.js';
import { PoolRegistry } from './upstream/pool-registry.js';
import { remoteEndpoints } from './upstream/remote-endpoints.js';

/** What every generation shares: the supervisor link, leases, model turns, secrets, the app's parts. */
export interface GenerationParts {
  logger: ProxyLogger;
  clock: Clock;
  supervisor: ModelSupervisor;
  leases: LeaseManager;
  turns: TurnClient;
  secrets: SecretCache;
  createPool?: (origin: string, options: Pool.Options) => Dispatcher;
  /** The app's dependencies that do not come from the config's routes. */
  app: Omit<
    AppDeps,
    | 'router'
    | 'backends'
    | 'bodyLimitBytes'
    | 'maxJsonDepth'
    | 'bodyTimeoutMs'
    | 'heartbeatMs'
    | 'supervisor'
    | 'clock'
    | 'logger'
  >;
}

/** undici pools per upstream origin, behind the SSRF guard. */
export function openPools(
  config: GatewayConfig,
  logger: ProxyLogger,
  createPool: GenerationParts['createPool'],
): PoolRegistry {
  const connectTimeoutMs = Math.max(
    10_000,
    ...config.models.map((m) => m.timeouts.connectMs),
    ...(config.providers ?? []).map((p) => p.timeouts.connectMs),
  );
  const poolOptions = {
    remotes: remoteEndpoints(config),
    onConnectRefused: (origin: string, reason: string) =>
      logger.warn({ origin, reason }, 'upstream connection refused by the SSRF policy'),
    connections: config.proxy.pool.connections,
    keepAliveTimeoutMs: config.proxy.pool.keepAliveTimeoutMs,
    connectTimeoutMs,
  };
  return new PoolRegistry(createPool === undefined ? poolOptions : { ...poolOptions, createPool });
}

/**
 * Builds what a config decides for requests: the router (models, aliases, prefixes, rules),
 * the backends over their own upstream pools (the SSRF policy of the configured remotes) and
 * the request limits (body size, nesting, body timeout, heartbeat).
 */
export function buildGeneration(config: GatewayConfig, parts: GenerationParts): ProxyGeneration {
  const pools = openPools(config, parts.logger, parts.createPool);
  const { supervisor, leases, turns, secrets } = parts;
  const backends = new BackendRegistry(
    new LocalBackend({ supervisor, leases, pools, turns }),
    new OpenAIBackend({ pools, secrets }),
    new AnthropicBackend({ pools, secrets }),
  );
  const listener = createRequestListener({
    ...parts.app,
    router: new ModelRouter(new RouteTable(config.models, config)),
    backends,
    supervisor,
    clock: parts.clock,
    logger: parts.logger,
    bodyLimitBytes: config.proxy.bodyLimitBytes,
    maxJsonDepth: config.proxy.maxJsonDepth,
    bodyTimeoutMs: config.proxy.bodyTimeoutMs,
    heartbeatMs: config.proxy.heartbeatMs,
  });
  return { config, listener, retire: () => pools.close(1_000) };
}

/** Reads the config file a proxy was started from again (its listen address is kept). */
export function rereadConfig(config: GatewayConfig): GatewayConfig {
  const next = loadConfig({ home: config.home, ...(config.file ? { file: config.file } : {}) });
  next.proxy = { ...next.proxy, host: config.proxy.host, port: config.proxy.port };
  return next;
}
