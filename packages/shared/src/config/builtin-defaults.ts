import { gatewayPaths } from '../paths.js';
import type { PortRange, ProxyConfig, SupervisorConfig, Timeouts } from './types.js';

/** Every default of the config file in one place (docs/configuration.md lists the same). */
export const DEFAULT_PROXY: ProxyConfig = {
  host: '127.0.0.1',
  port: 8080,
  bodyLimitBytes: 10_000_000,
  maxJsonDepth: 1_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  heartbeatMs: 15_000,
  controlTimeoutMs: 5_000,
  pool: { connections: 64, keepAliveTimeoutMs: 60_000 },
};

export const DEFAULT_GATEWAY_PORTS: PortRange = { from: 10300, to: 10399 };
export const DEFAULT_OPERATOR_PORTS: PortRange = { from: 10240, to: 10299 };

export function defaultSupervisor(home: string): SupervisorConfig {
  const paths = gatewayPaths(home);
  return {
    controlEndpoint: `ipc://${paths.controlSocket}`,
    eventsEndpoint: `ipc://${paths.eventsSocket}`,
    maxLoadedModels: 2,
    keepModelsOnExit: false,
    gatewayPorts: { ...DEFAULT_GATEWAY_PORTS },
    operatorPorts: { ...DEFAULT_OPERATOR_PORTS },
    stopGraceMs: 10_000,
    drainTimeoutMs: 30_000,
    capacityWaitMs: 60_000,
    leaseTtlMs: 30_000,
    healthIntervalMs: 30_000,
    failureBackoff: { initialMs: 5_000, maxMs: 300_000 },
  };
}

export const DEFAULT_LOCAL_TIMEOUTS: Timeouts = {
  connectMs: 5_000,
  firstByteMs: 900_000,
  idleMs: 300_000,
  totalMs: 900_000,
};

export const DEFAULT_REMOTE_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstByteMs: 120_000,
  idleMs: 120_000,
  totalMs: 600_000,
};

export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;
export const DEFAULT_START_TIMEOUT_MS = 300_000;
export const DEFAULT_HEALTH_PATH = '/health';
/** Stalled requests in a row after which a ready local model counts as wedged. */
export const DEFAULT_WEDGED_AFTER = 3;
export const DEFAULT_MODEL_TYPE = 'lm';

export const DEFAULT_URLS = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
} as const;

/** The environment variable read for a cloud backend's key when apiKey is not set. */
export const DEFAULT_KEY_VARIABLES = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
} as const;

/** The provider name of the configured local models: `mlx/<name>` routes to local model `<name>`. */
export const LOCAL_PROVIDER = 'mlx';

/**
 * Prefixes whose provider is well known: `openai/x` is routed once a provider named `openai` is
 * configured; until then a request for it gets a 404 with this snippet of config.
 */
export const WELL_KNOWN_PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai: { backend: openai, apiKey: "${env:OPENAI_API_KEY}" }',
  anthropic: 'anthropic: { backend: anthropic, apiKey: "${env:ANTHROPIC_API_KEY}" }',
  vllm: 'vllm: { backend: openai-compatible, url: http://HOST:8000/v1, allowPrivateNetwork: true }',
};
