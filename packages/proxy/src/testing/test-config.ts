import type {
  Capabilities,
  GatewayConfig,
  LocalModelConfig,
  ProxyConfig,
  RemoteModelConfig,
  Timeouts,
} from '@mlx-gateway/shared/config';

export const allCapabilities: Capabilities = {
  chat: true,
  completions: true,
  embeddings: true,
  tools: true,
  vision: true,
  streamingUsage: true,
};

export const chatOnly: Capabilities = {
  chat: true,
  completions: false,
  embeddings: false,
  tools: false,
  vision: false,
  streamingUsage: false,
};

export const roomyTimeouts: Timeouts = {
  connectMs: 5_000,
  firstByteMs: 60_000,
  idleMs: 60_000,
  totalMs: 600_000,
};

type ModelOverrides<T> = Partial<Omit<T, 'kind' | 'name'>>;

export function localModel(
  name: string,
  overrides: ModelOverrides<LocalModelConfig> = {},
): LocalModelConfig {
  return {
    kind: 'local',
    name,
    aliases: [],
    upstreamModel: name,
    capabilities: allCapabilities,
    timeouts: roomyTimeouts,
    fallbacks: [],
    backend: 'mlx-openai-server',
    argv: ['mlx-openai-server', 'launch'],
    env: {},
    healthPath: '/health',
    idleTimeoutMs: 0,
    startTimeoutMs: 60_000,
    ...overrides,
  };
}

export function remoteModel(
  name: string,
  baseUrl: string,
  overrides: ModelOverrides<RemoteModelConfig> = {},
): RemoteModelConfig {
  return {
    kind: 'remote',
    name,
    aliases: [],
    upstreamModel: name,
    capabilities: allCapabilities,
    timeouts: roomyTimeouts,
    fallbacks: [],
    backend: 'openai-compatible',
    baseUrl,
    allowPrivateNetwork: true,
    headers: {},
    ...overrides,
  };
}

export function gatewayConfig(
  models: GatewayConfig['models'],
  proxy: Partial<ProxyConfig> = {},
): GatewayConfig {
  return {
    home: '/nonexistent/mlx-gateway-test-home',
    proxy: {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 1024 * 1024,
      maxJsonDepth: 1_000,
      headersTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
      heartbeatMs: 15_000,
      controlTimeoutMs: 1_000,
      pool: { connections: 8, keepAliveTimeoutMs: 4_000 },
      ...proxy,
    },
    supervisor: {
      controlEndpoint: 'ipc:///nonexistent/control.sock',
      eventsEndpoint: 'ipc:///nonexistent/events.sock',
      maxLoadedModels: 2,
      keepModelsOnExit: false,
      gatewayPorts: { from: 10300, to: 10399 },
      operatorPorts: { from: 10240, to: 10299 },
      stopGraceMs: 10_000,
      drainTimeoutMs: 30_000,
      capacityWaitMs: 10_000,
      leaseTtlMs: 60_000,
      healthIntervalMs: 30_000,
      failureBackoff: { initialMs: 1_000, maxMs: 60_000 },
    },
    models,
  };
}
