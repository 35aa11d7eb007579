import { defaultCapabilities } from './capabilities.js';
import {
  DEFAULT_HEALTH_PATH,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEY_VARIABLES,
  DEFAULT_LOCAL_TIMEOUTS,
  DEFAULT_MODEL_TYPE,
  DEFAULT_REMOTE_TIMEOUTS,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_URLS,
} from './builtin-defaults.js';
import {
  commandArgv,
  DEFAULT_MLX_COMMAND,
  mlxOpenAIServerArgv,
  servedModelName,
} from './command-line.js';
import { didYouMean } from './did-you-mean.js';
import {
  BACKENDS,
  commandModelSchema,
  isValidModelName,
  mlxModelSchema,
  NAME_RULE,
  remoteModelSchema,
} from './model-schemas.js';
import { compileModelLimits } from './model-limits.js';
import type { Backend, RawMlxModel } from './model-schemas.js';
import type { KeyPath, ProblemList } from './problem-list.js';
import type { RawDefaults, RawTimeouts } from './section-schemas.js';
import { formatDuration } from '../units/duration.js';
import type {
  Capabilities,
  LocalModelConfig,
  ModelConfig,
  RemoteModelConfig,
  Timeouts,
} from './types.js';

export interface ModelCompileContext {
  problems: ProblemList;
  defaults: RawDefaults | undefined;
  /** Expands a leading `~/` to the user's home directory. */
  expandHome: (path: string) => string;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveBackend(
  raw: Record<string, unknown>,
  at: KeyPath,
  problems: ProblemList,
): Backend | undefined {
  const backend = raw['backend'];
  if (backend === undefined) {
    if (raw['modelPath'] !== undefined) return 'mlx-openai-server';
    problems.add(
      [...at, 'backend'],
      `missing; set backend to one of ${BACKENDS.map((b) => `"${b}"`).join(', ')} ` +
        '(it may be left out only for a model with modelPath, which runs on mlx-openai-server)',
    );
    return undefined;
  }
  if (typeof backend === 'string' && (BACKENDS as readonly string[]).includes(backend)) {
    return backend as Backend;
  }
  const hint = typeof backend === 'string' ? didYouMean(backend, BACKENDS) : undefined;
  problems.add(
    [...at, 'backend'],
    `expected one of ${BACKENDS.map((b) => `"${b}"`).join(', ')}${hint ? `; ${hint}` : ''}`,
    { value: backend },
  );
  return undefined;
}

export function mergeTimeouts(
  builtin: Timeouts,
  ...layers: Array<RawTimeouts | null | undefined>
): Timeouts {
  const out = { ...builtin };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.connect !== undefined) out.connectMs = layer.connect;
    if (layer.firstByte !== undefined) out.firstByteMs = layer.firstByte;
    if (layer.idle !== undefined) out.idleMs = layer.idle;
    if (layer.total !== undefined) out.totalMs = layer.total;
  }
  return out;
}

export function checkTimeouts(timeouts: Timeouts, at: KeyPath, problems: ProblemList): void {
  const total = formatDuration(timeouts.totalMs);
  if (timeouts.firstByteMs > timeouts.totalMs) {
    problems.add(
      [...at, 'timeouts'],
      `firstByte (${formatDuration(timeouts.firstByteMs)}) is longer than total (${total}); make firstByte ≤ total`,
    );
  }
  if (timeouts.idleMs > timeouts.totalMs) {
    problems.add(
      [...at, 'timeouts'],
      `idle (${formatDuration(timeouts.idleMs)}) is longer than total (${total}); make idle ≤ total`,
    );
  }
}

export function capabilities(
  backend: Backend,
  modelType: string | undefined,
  overrides: Partial<Record<keyof Capabilities, boolean | undefined>> | undefined,
): Capabilities {
  const out = defaultCapabilities(backend, modelType);
  for (const key of Object.keys(out) as Array<keyof Capabilities>) {
    const value = overrides?.[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The secret name suggested when a literal key is refused: OPENAI_API_KEY, MY_VLLM_API_KEY, ... */
export function suggestedSecretName(name: string, backend: Backend): string {
  if (backend === 'openai' || backend === 'anthropic') return DEFAULT_KEY_VARIABLES[backend];
  return `${name
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')}_API_KEY`;
}

/**
 * Validates one entry of `models:` and compiles it, or records its problems and returns
 * undefined. Cross-model rules (unique names, fallbacks) are checked by compileConfig.
 */
export function compileModel(
  name: string,
  raw: unknown,
  ctx: ModelCompileContext,
): ModelConfig | undefined {
  const { problems } = ctx;
  const at: KeyPath = ['models', name];
  const before = problems.size;
  if (!isValidModelName(name)) problems.add(at, NAME_RULE, { value: name });
  if (!isMapping(raw)) {
    problems.add(at, 'expected a mapping of settings (backend, modelPath, ...)', { value: raw });
    return undefined;
  }
  const backend = resolveBackend(raw, at, problems);
  if (backend === undefined) return undefined;
  const model =
    backend === 'mlx-openai-server' || backend === 'command'
      ? compileLocal(name, backend, raw, ctx)
      : compileRemote(name, backend, raw, ctx);
  return problems.size === before ? model : undefined;
}

/** A local model's queue when only `maxConcurrent` is given: 100 requests, 2 minutes each. */
const DEFAULT_QUEUE_SIZE = 100;
const DEFAULT_QUEUE_TIMEOUT_MS = 120_000;

function compileLocal(
  name: string,
  backend: 'mlx-openai-server' | 'command',
  raw: Record<string, unknown>,
  ctx: ModelCompileContext,
): LocalModelConfig | undefined {
  const { problems } = ctx;
  const at: KeyPath = ['models', name];
  const localDefaults = ctx.defaults?.local ?? undefined;
  const parsed = (backend === 'command' ? commandModelSchema() : mlxModelSchema()).safeParse(raw, {
    reportInput: true,
  });
  if (!parsed.success) {
    problems.addIssues(at, parsed.error.issues);
    return undefined;
  }
  const m = parsed.data as RawMlxModel;
  const expandProgram = (argv: string[]): string[] =>
    argv.map((arg, i) => (i === 0 ? ctx.expandHome(arg) : arg));

  let argv: string[];
  let modelPath: string | undefined;
  let modelType: string | undefined;
  let upstreamModel: string;
  if (backend === 'mlx-openai-server') {
    if (m.modelPath === undefined) {
      problems.add(
        [...at, 'modelPath'],
        'missing; set it to the Hugging Face id or local path of the MLX model (like "mlx-community/Qwen2.5-7B-Instruct-4bit")',
      );
      return undefined;
    }
    modelPath = ctx.expandHome(m.modelPath);
    modelType = m.modelType ?? DEFAULT_MODEL_TYPE;
    const args = m.args ?? [];
    argv = mlxOpenAIServerArgv(
      expandProgram(m.command ?? [DEFAULT_MLX_COMMAND]),
      modelPath,
      modelType,
      args,
    );
    upstreamModel = m.upstreamModel ?? servedModelName(args) ?? modelPath;
  } else {
    if (m.command === undefined) {
      problems.add(
        [...at, 'command'],
        'missing; set it to the command line that starts the server, with ${PORT} where the port goes',
      );
      return undefined;
    }
    argv = commandArgv(expandProgram(m.command));
    upstreamModel = m.upstreamModel ?? name;
  }

  const timeouts = mergeTimeouts(DEFAULT_LOCAL_TIMEOUTS, localDefaults?.timeouts, m.timeouts);
  checkTimeouts(timeouts, at, problems);
  const compiled: LocalModelConfig = {
    kind: 'local',
    name,
    backend,
    aliases: m.aliases ?? [],
    upstreamModel,
    capabilities: capabilities(backend, modelType, m.capabilities),
    timeouts,
    fallbacks: m.fallbacks ?? [],
    argv,
    env: m.env ?? {},
    healthPath: m.healthPath ?? localDefaults?.healthPath ?? DEFAULT_HEALTH_PATH,
    idleTimeoutMs: m.idleTimeout ?? localDefaults?.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS,
    startTimeoutMs: m.startTimeout ?? localDefaults?.startTimeout ?? DEFAULT_START_TIMEOUT_MS,
  };
  if (modelPath !== undefined) compiled.modelPath = modelPath;
  if (modelType !== undefined) compiled.modelType = modelType;
  compileQueue(compiled, m, at, problems);
  compilePolicy(compiled, m);
  const limits = m.limits === undefined ? undefined : compileModelLimits(m.limits);
  if (limits !== undefined) compiled.limits = limits;
  return compiled;
}

/** Pin, priority, preload, memory hint and wedge detection: set only when written. */
function compilePolicy(compiled: LocalModelConfig, m: RawMlxModel): void {
  if (m.pin !== undefined) compiled.pin = m.pin;
  if (m.priority !== undefined) compiled.priority = m.priority;
  if (m.preload !== undefined) compiled.preload = m.preload;
  if (m.memory !== undefined) compiled.memoryHintBytes = m.memory;
  if (m.wedgedAfter !== undefined) compiled.wedgedAfter = m.wedgedAfter;
}

/** `maxConcurrent` and its bounded queue (the queue needs the limit it waits for). */
function compileQueue(
  compiled: LocalModelConfig,
  m: RawMlxModel,
  at: KeyPath,
  problems: ProblemList,
): void {
  if (m.maxConcurrent !== undefined) {
    compiled.maxConcurrent = m.maxConcurrent;
    compiled.queue = {
      size: m.queue?.size ?? DEFAULT_QUEUE_SIZE,
      timeoutMs: m.queue?.timeout ?? DEFAULT_QUEUE_TIMEOUT_MS,
    };
  } else if (m.queue !== undefined) {
    problems.add(
      [...at, 'queue'],
      'applies only with `maxConcurrent:` (the requests served at once)',
    );
  }
}

function compileRemote(
  name: string,
  backend: 'openai' | 'openai-compatible' | 'anthropic',
  raw: Record<string, unknown>,
  ctx: ModelCompileContext,
): RemoteModelConfig | undefined {
  const { problems } = ctx;
  const at: KeyPath = ['models', name];
  const parsed = remoteModelSchema(backend, suggestedSecretName(name, backend)).safeParse(raw, {
    reportInput: true,
  });
  if (!parsed.success) {
    problems.addIssues(at, parsed.error.issues);
    return undefined;
  }
  const m = parsed.data;
  const baseUrl = m.url ?? (backend === 'openai-compatible' ? undefined : DEFAULT_URLS[backend]);
  if (baseUrl === undefined) {
    problems.add(
      [...at, 'url'],
      'missing; backend openai-compatible needs the base URL of the server, like "http://127.0.0.1:8000/v1"',
    );
    return undefined;
  }
  const timeouts = mergeTimeouts(
    DEFAULT_REMOTE_TIMEOUTS,
    ctx.defaults?.remote?.timeouts,
    m.timeouts,
  );
  checkTimeouts(timeouts, at, problems);
  const compiled: RemoteModelConfig = {
    kind: 'remote',
    name,
    backend,
    aliases: m.aliases ?? [],
    upstreamModel: m.upstreamModel ?? name,
    capabilities: capabilities(backend, undefined, m.capabilities),
    timeouts,
    fallbacks: m.fallbacks ?? [],
    baseUrl,
    allowPrivateNetwork: m.allowPrivateNetwork ?? false,
    headers: m.headers?.headers ?? {},
  };
  const apiKey =
    m.apiKey ??
    (backend === 'openai-compatible'
      ? undefined
      : ({ kind: 'env', name: DEFAULT_KEY_VARIABLES[backend] } as const));
  if (apiKey !== undefined) compiled.apiKey = apiKey;
  const secretHeaders = m.headers?.secretHeaders ?? {};
  if (Object.keys(secretHeaders).length > 0) compiled.secretHeaders = secretHeaders;
  const limits = m.limits === undefined ? undefined : compileModelLimits(m.limits);
  if (limits !== undefined) compiled.limits = limits;
  return compiled;
}
