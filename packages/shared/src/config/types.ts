/**
 * The compiled configuration: what every process works with after `loadConfig()`.
 * Human values from the YAML file ("10m", "48GB", "${env:X}") are already turned into
 * milliseconds, bytes and secret references here; nothing downstream parses them again.
 */

import type { AuditConfig, MetricsConfig } from './audit-schema.js';
import type { ModelLimits } from './model-limits.js';
export type { ModelLimits } from './model-limits.js';
export type {
  AuditCaptureConfig,
  AuditConfig,
  AuditStreamConfig,
  MetricsConfig,
} from './audit-schema.js';

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
  /** Limits counted for the model over all its callers (`limits:`); absent = none. */
  limits?: ModelLimits;
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
  /** Requests the proxy sends the model at once; absent = no limit (and no queue). */
  maxConcurrent?: number;
  /** The wait for a turn when `maxConcurrent` are in flight: how many may wait, how long. */
  queue?: { size: number; timeoutMs: number };
  /** Never stopped when idle, never evicted (`pin: true`). */
  pin?: boolean;
  /** Eviction order among idle models: lower first (absent: 0). */
  priority?: number;
  /** Started by the supervisor as soon as it starts (owned by the gateway). */
  preload?: boolean;
  /** `memory:` the operator's estimate of the model's footprint, in bytes. */
  memoryHintBytes?: number;
  /**
   * Stalled requests in a row (first-byte or idle timeouts) after which the ready model is
   * restarted; 0 = never. Compiled from the model's key, else `supervisor.wedgedAfter`;
   * absent: DEFAULT_WEDGED_AFTER.
   */
  wedgedAfter?: number;
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
  /** The provider whose URL, key and headers this model uses (`provider:` in the model entry). */
  provider?: string;
}

export type ModelConfig = LocalModelConfig | RemoteModelConfig;

/**
 * CURVE keys of a TCP control endpoint (`supervisor.curve`): the supervisor's key pair and the
 * one client key pair it lets in. Public keys are Z85 text; secret keys are references, resolved
 * at start-up (the supervisor reads the server's, the proxy and the CLI the client's).
 */
export interface CurveConfig {
  serverPublicKey: string;
  serverSecretKey: SecretRef;
  clientPublicKey: string;
  clientSecretKey: SecretRef;
}

export interface SupervisorConfig {
  /** ZeroMQ endpoints; default ipc:// paths in the run directory. */
  controlEndpoint: string;
  eventsEndpoint: string;
  /** Required for a tcp:// endpoint; absent by default. */
  curve?: CurveConfig;
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
  /** Default of each local model's `wedgedAfter` (absent: DEFAULT_WEDGED_AFTER). */
  wedgedAfter?: number;
  failureBackoff: { initialMs: number; maxMs: number };
}

export interface ProxyConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects a request body may have. */
  maxJsonDepth: number;
  /** Longest a client may take to send a request's headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Longest a client may take to send a request's body, once its headers are in. */
  bodyTimeoutMs: number;
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
  /** Remote APIs named once (`providers:`), in declaration order; absent when none is configured. */
  providers?: ProviderConfig[];
  /** Prefix and regex routing rules (`routing:`); absent when the file has none. */
  routing?: RoutingConfig;
  /** Shared state (`state:`); compiled configs always have it, absent means the embedded defaults. */
  state?: StateConfig;
  /** The request audit log (`audit:`); compileConfig always sets it, hand-made configs may not. */
  audit?: AuditConfig;
  /** The Prometheus series (`metrics:`); compileConfig always sets it. */
  metrics?: MetricsConfig;
  /** `responses:`, the Responses API's stored state; absent: the proxy's defaults. */
  responses?: ResponsesConfig;
}

export interface ResponsesConfig {
  /** How long a stored response (and the input that led to it) stays retrievable. */
  ttlMs: number;
}

/**
 * A remote API named once under `providers:`. Prefixes (`<name>/...`) and regex rules send
 * requests to it with an upstream model id taken from the requested name.
 */
export interface ProviderConfig {
  name: string;
  backend: RemoteModelConfig['backend'];
  /** Base URL up to and including the version segment. */
  baseUrl: string;
  apiKey?: SecretRef;
  allowPrivateNetwork: boolean;
  headers: Record<string, string>;
  secretHeaders?: Record<string, SecretRef>;
  /** What every model reached through this provider can do. */
  capabilities: Capabilities;
  timeouts: Timeouts;
}

/** `<prefix><rest>` routes to a provider with upstream model `<rest>` (or the whole name). */
export interface RoutePrefix {
  prefix: string;
  /** A provider name, or `mlx`: `<rest>` is then a configured local model (name or alias). */
  provider: string;
  /** Remove the prefix from the upstream model id. */
  strip: boolean;
}

/** A regex rule: a requested name it matches goes to a provider or to a configured model. */
export interface RouteRule {
  /** JavaScript regular expression source, matched with `RegExp.exec` (anchor it with ^ and $). */
  match: string;
  /** Exactly one of `provider` and `model` is set. */
  provider?: string;
  /** Public name of a configured model (an alias in the file is resolved to the name). */
  model?: string;
  /** With `provider`: the upstream model id; `$0`-`$9` are replaced by the match's groups. */
  upstreamModel?: string;
  /** Routable names (configured names, aliases, prefixed names) tried in order after the target. */
  fallbacks: string[];
}

export interface RoutingConfig {
  /** In the order written; the longest matching prefix wins. */
  prefixes: RoutePrefix[];
  /** Tried in the order written; the first match wins. */
  rules: RouteRule[];
}

/** `state:`: where the gateway's shared state lives (limits, stored responses, activity). */
export interface StateConfig {
  /** Absent: the embedded store (ioredis-mock in the proxy's memory; one proxy). */
  redis?: RedisStateConfig;
  /** Prepended to every key (several gateways can share one Redis database). */
  keyPrefix: string;
  /** While Redis is unreachable: `serve` requests without shared state and log it, or `refuse` them with a 503. */
  whenDown: 'serve' | 'refuse';
}

export interface RedisStateConfig {
  /** `redis://host:port/db` or `rediss://...` (TLS); never with a password in it. */
  url: string;
  password?: SecretRef;
  /** TLS options; `rediss://` alone turns TLS on with the system's CAs. */
  tls?: { caFile?: string; servername?: string };
  /** Longest wait for one command before it counts as failed. */
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}
