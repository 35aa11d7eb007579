import {
  DEFAULT_KEY_VARIABLES,
  DEFAULT_REMOTE_TIMEOUTS,
  DEFAULT_URLS,
  LOCAL_PROVIDER,
} from './builtin-defaults.js';
import {
  capabilities,
  checkTimeouts,
  mergeTimeouts,
  suggestedSecretName,
} from './compile-model.js';
import { didYouMean } from './did-you-mean.js';
import type { KeyPath, ProblemList } from './problem-list.js';
import {
  isValidProviderName,
  PROVIDER_BACKENDS,
  PROVIDER_NAME_RULE,
  providerSchema,
} from './routing-schemas.js';
import type { ProviderBackend } from './routing-schemas.js';
import type { RawDefaults } from './section-schemas.js';
import type { ProviderConfig } from './types.js';
import { upstreamUrlProblem } from './upstream-url-check.js';

export interface ProviderCompileContext {
  problems: ProblemList;
  defaults: RawDefaults | undefined;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BACKEND_LIST = PROVIDER_BACKENDS.map((b) => `"${b}"`).join(', ');

function providerBackend(
  name: string,
  raw: Record<string, unknown>,
  problems: ProblemList,
): ProviderBackend | undefined {
  const at: KeyPath = ['providers', name, 'backend'];
  const backend = raw['backend'];
  if (backend === undefined) {
    if (name === 'openai' || name === 'anthropic') return name;
    problems.add(at, `missing; set backend to one of ${BACKEND_LIST}`);
    return undefined;
  }
  if (typeof backend === 'string' && (PROVIDER_BACKENDS as readonly string[]).includes(backend)) {
    return backend as ProviderBackend;
  }
  const local = backend === 'mlx-openai-server' || backend === 'command';
  const hint = typeof backend === 'string' ? didYouMean(backend, PROVIDER_BACKENDS) : undefined;
  problems.add(
    at,
    local
      ? `a provider is a remote API; expected one of ${BACKEND_LIST} (local models go under models:)`
      : `expected one of ${BACKEND_LIST}${hint ? `; ${hint}` : ''}`,
    { value: backend },
  );
  return undefined;
}

function compileProvider(
  name: string,
  raw: unknown,
  ctx: ProviderCompileContext,
): ProviderConfig | undefined {
  const { problems } = ctx;
  const at: KeyPath = ['providers', name];
  const before = problems.size;
  if (name === LOCAL_PROVIDER) {
    problems.add(
      at,
      `"${LOCAL_PROVIDER}" is reserved for the local models (${LOCAL_PROVIDER}/<name>); choose another name`,
    );
  } else if (!isValidProviderName(name)) {
    problems.add(at, PROVIDER_NAME_RULE, { value: name });
  }
  if (!isMapping(raw)) {
    problems.add(at, 'expected a mapping of settings (backend, url, apiKey, ...)', { value: raw });
    return undefined;
  }
  const backend = providerBackend(name, raw, problems);
  if (backend === undefined) return undefined;
  const parsed = providerSchema(suggestedSecretName(name, backend)).safeParse(raw, {
    reportInput: true,
  });
  if (!parsed.success) {
    problems.addIssues(at, parsed.error.issues);
    return undefined;
  }
  const p = parsed.data;
  const baseUrl = p.url ?? (backend === 'openai-compatible' ? undefined : DEFAULT_URLS[backend]);
  if (baseUrl === undefined) {
    problems.add(
      [...at, 'url'],
      'missing; backend openai-compatible needs the base URL of the server, like "http://10.0.0.5:8000/v1"',
    );
    return undefined;
  }
  const allowPrivateNetwork = p.allowPrivateNetwork ?? false;
  const refused = upstreamUrlProblem(baseUrl, allowPrivateNetwork);
  if (refused !== undefined) problems.add([...at, 'url'], refused, { value: baseUrl });
  const timeouts = mergeTimeouts(
    DEFAULT_REMOTE_TIMEOUTS,
    ctx.defaults?.remote?.timeouts,
    p.timeouts,
  );
  checkTimeouts(timeouts, at, problems);
  if (problems.size !== before) return undefined;

  const provider: ProviderConfig = {
    name,
    backend,
    baseUrl,
    allowPrivateNetwork,
    headers: p.headers?.headers ?? {},
    capabilities: capabilities(backend, undefined, p.capabilities),
    timeouts,
  };
  const apiKey =
    p.apiKey ??
    (backend === 'openai-compatible'
      ? undefined
      : ({ kind: 'env', name: DEFAULT_KEY_VARIABLES[backend] } as const));
  if (apiKey !== undefined) provider.apiKey = apiKey;
  const secretHeaders = p.headers?.secretHeaders ?? {};
  if (Object.keys(secretHeaders).length > 0) provider.secretHeaders = secretHeaders;
  return provider;
}

/**
 * Validates and compiles `providers:` (remote APIs named once), in declaration order. Each URL
 * passes the SSRF policy here, so a refused one stops the config from loading with the reason.
 */
export function compileProviders(value: unknown, ctx: ProviderCompileContext): ProviderConfig[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) {
    ctx.problems.add(['providers'], 'expected a mapping of provider names to their settings', {
      value,
    });
    return [];
  }
  const providers: ProviderConfig[] = [];
  for (const [name, raw] of Object.entries(value)) {
    const provider = compileProvider(name, raw, ctx);
    if (provider) providers.push(provider);
  }
  return providers;
}
