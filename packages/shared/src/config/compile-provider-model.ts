import { compileModel } from './compile-model.js';
import type { ModelCompileContext } from './compile-model.js';
import type { ProviderNames } from './compile-routing.js';
import { closestMatches } from './did-you-mean.js';
import type { KeyPath } from './problem-list.js';
import type { Capabilities, ProviderConfig, RemoteModelConfig } from './types.js';

/** Keys a model entry with `provider:` takes from the provider instead. */
const PROVIDER_KEYS = ['backend', 'url', 'apiKey', 'allowPrivateNetwork', 'headers'] as const;

/** True for a model entry that names a provider (`provider: openai`). */
export function namesProvider(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'provider' in raw;
}

/**
 * A model entry that reaches its upstream through a provider: `{ provider: openai,
 * upstreamModel: gpt-4o-2024-08-06 }`. URL, key, headers and the private-network switch come
 * from the provider; capabilities and timeouts start from the provider's and the entry's own
 * keys override them; aliases and fallbacks work as for any model.
 */
export function compileProviderModel(
  name: string,
  raw: Record<string, unknown>,
  providers: ReadonlyMap<string, ProviderConfig>,
  names: ProviderNames,
  ctx: ModelCompileContext,
): RemoteModelConfig | undefined {
  const { problems } = ctx;
  const at: KeyPath = ['models', name];
  const { provider: providerName, ...rest } = raw;
  const provider = typeof providerName === 'string' ? providers.get(providerName) : undefined;
  if (provider === undefined) {
    if (typeof providerName === 'string' && names.declared.has(providerName)) return undefined;
    const near =
      typeof providerName === 'string'
        ? closestMatches(providerName, names.valid, 1)[0]
        : undefined;
    problems.add(
      [...at, 'provider'],
      `is not a configured provider${near ? `; did you mean "${near}"?` : ''} (add it under providers:)`,
      { value: providerName },
    );
    return undefined;
  }
  let clash = false;
  for (const key of PROVIDER_KEYS) {
    if (key in rest) {
      clash = true;
      problems.add(
        [...at, key],
        `comes from provider "${provider.name}"; set it there, or leave out provider: and configure the model fully`,
      );
    }
  }
  if (clash) return undefined;

  const t = provider.timeouts;
  const providerDefaults = {
    ...ctx.defaults,
    remote: {
      timeouts: {
        connect: t.connectMs,
        firstByte: t.firstByteMs,
        idle: t.idleMs,
        total: t.totalMs,
      },
    },
  };
  const compiled = compileModel(
    name,
    { ...rest, backend: provider.backend, url: provider.baseUrl },
    { ...ctx, defaults: providerDefaults },
  );
  if (compiled === undefined || compiled.kind !== 'remote') return undefined;

  const own = (rest['capabilities'] ?? {}) as Partial<Record<keyof Capabilities, unknown>>;
  const caps = { ...provider.capabilities };
  for (const key of Object.keys(caps) as Array<keyof Capabilities>) {
    if (typeof own[key] === 'boolean') caps[key] = compiled.capabilities[key];
  }
  const model: RemoteModelConfig = {
    ...compiled,
    capabilities: caps,
    baseUrl: provider.baseUrl,
    allowPrivateNetwork: provider.allowPrivateNetwork,
    headers: provider.headers,
    provider: provider.name,
  };
  delete model.apiKey;
  delete model.secretHeaders;
  if (provider.apiKey !== undefined) model.apiKey = provider.apiKey;
  if (provider.secretHeaders !== undefined) model.secretHeaders = provider.secretHeaders;
  return model;
}
