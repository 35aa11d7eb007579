/**
 * The compiled configuration: what every process works with after `loadConfig()`.
 * Human values from the YAML file ("10m", "48GB", "${env:X}") are already turned into
 * milliseconds, bytes and secret references here; nothing downstream parses them again.
 */

export interface PortRange {
  from: number;
  to: number;
}

/** Where a secret comes from; the value itself is resolved only when a request is sent. */
export type SecretRef = { kind: 'env'; name: string } | { kind: 'store'; name: string };

export interface Capabilities {
  chat: boolean;
  completions: boolean;
  embeddings: boolean;
  tools: boolean;
  vision: boolean;
  streamingUsage: boolean;
}

export interface Timeouts {
  connectMs: number;
  /** Until the first response byte; for local models this includes load time. */
  firstByteMs: number;
  /** Longest silent gap between two chunks of a response. */
  idleMs: number;
  totalMs: number;
}

interface ModelCommon {
  /** Public name clients send in `model`. */
  name: string;
  aliases: string[];
  /** Model id sent upstream (defaults to the public name, or the served name of a local model). */
  upstreamModel: string;
  capabilities: Capabilities;
  timeouts: Timeouts;
  /** Other public model names to try, in order, when this one fails before the first byte. */
  fallbacks: string[];
}

/** A model served by a process the supervisor starts and owns. */
export interface LocalModelConfig extends ModelCommon {
  kind: 'local';
  /** `mlx-openai-server` builds the launch arguments from modelPath/modelType; `command` runs argv as given. */
  backend: 'mlx-openai-server' | 'command';
  /** Full argv; `${PORT}` and `${HOST}` are substituted when the process is spawned. */
  argv: string[];
  /** Extra environment for the child. */
  env: Record<string, string>;
  modelPath?: string;
  modelType?: string;
  healthPath: string;
  /** 0 = never stop when idle. */
  idleTimeoutMs: number;
  startTimeoutMs: number;
}

/** A model reached over HTTP(S) at a URL the gateway does not manage. */
export interface RemoteModelConfig extends ModelCommon {
  kind: 'remote';
  backend: 'openai' | 'openai-compatible' | 'anthropic';
  /** Base URL up to and including the version segment, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  apiKey?: SecretRef;
  /** The operator marked this URL as local/private on purpose (SSRF guard lets it through). */
  allowPrivateNetwork: boolean;
  headers: Record<string, string>;
  /** Headers whose whole value is a `${env:NAME}` / `${secret:NAME}` reference, resolved per request like apiKey. */
  secretHeaders?: Record<string, SecretRef>;
}

export type ModelConfig = LocalModelConfig | RemoteModelConfig;

export interface SupervisorConfig {
  /** ZeroMQ endpoints; default ipc:// paths in the run directory. */
  controlEndpoint: string;
  eventsEndpoint: string;
  maxLoadedModels: number;
  /** Resident memory budget over all model process groups; undefined = unlimited. */
  memoryBudgetBytes?: number;
  keepModelsOnExit: boolean;
  gatewayPorts: PortRange;
  operatorPorts: PortRange;
  /** SIGTERM → SIGKILL grace. */
  stopGraceMs: number;
  /** How long a stop waits for in-flight leases to end. */
  drainTimeoutMs: number;
  /** How long a start waits for capacity before failing with 503. */
  capacityWaitMs: number;
  leaseTtlMs: number;
  /** Health re-check period of ready models. */
  healthIntervalMs: number;
  failureBackoff: { initialMs: number; maxMs: number };
}

export interface ProxyConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  heartbeatMs: number;
  /** Timeout for supervisor control calls made by the proxy (not model starts). */
  controlTimeoutMs: number;
  pool: { connections: number; keepAliveTimeoutMs: number };
}

export interface GatewayConfig {
  /** File the config came from, if any. */
  file?: string;
  home: string;
  proxy: ProxyConfig;
  supervisor: SupervisorConfig;
  /** In declaration order. */
  models: ModelConfig[];
}
