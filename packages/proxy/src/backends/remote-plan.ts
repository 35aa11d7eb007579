import type { ModelConfig, RemoteModelConfig, SecretRef } from '@mlx-gateway/shared/config';
import { upstreamOrigin, type UpstreamOrigin } from '../upstream/upstream-origin.js';
import type { SecretCache } from './secret-cache.js';

/** How to reach one remote model: its origin, fixed headers, and the secrets to send. */
export interface RemotePlan {
  where: UpstreamOrigin;
  staticHeaders: Record<string, string>;
  /** Secrets resolved per request: the API key, then secret-valued headers. */
  secrets: Array<{ header: string; ref: SecretRef; bearer: boolean }>;
}

/** The header that carries a backend's API key (`authorization: Bearer` or `x-api-key`). */
export interface KeyHeader {
  header: string;
  bearer: boolean;
}

/**
 * Plans per model config object, built once. Keyed on the object (a WeakMap), not on the public
 * name, so that the names clients invent for prefix routes cannot grow it without bound.
 */
export class RemotePlans {
  private readonly plans = new WeakMap<ModelConfig, RemotePlan>();

  constructor(private readonly keyHeader: KeyHeader) {}

  get(model: RemoteModelConfig): RemotePlan {
    let plan = this.plans.get(model);
    if (plan === undefined) {
      const staticHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(model.headers)) {
        staticHeaders[name.toLowerCase()] = value;
      }
      const secrets: RemotePlan['secrets'] = [];
      if (model.apiKey !== undefined) secrets.push({ ...this.keyHeader, ref: model.apiKey });
      for (const [name, ref] of Object.entries(model.secretHeaders ?? {})) {
        secrets.push({ header: name.toLowerCase(), ref, bearer: false });
      }
      plan = { where: upstreamOrigin(model.baseUrl), staticHeaders, secrets };
      this.plans.set(model, plan);
    }
    return plan;
  }
}

/**
 * The plan's headers with its secrets filled in: synchronously from the cache when every secret
 * is known (the hot path), otherwise after resolving them.
 */
export function withPlanHeaders<T>(
  plan: RemotePlan,
  cache: SecretCache,
  build: (headers: Record<string, string>) => T,
): T | Promise<T> {
  const values: string[] = [];
  for (const secret of plan.secrets) {
    const value = cache.peek(secret.ref);
    if (value === undefined) {
      return Promise.all(plan.secrets.map((s) => cache.get(s.ref))).then((all) =>
        build(planHeaders(plan, all)),
      );
    }
    values.push(value);
  }
  return build(planHeaders(plan, values));
}

function planHeaders(plan: RemotePlan, values: string[]): Record<string, string> {
  const headers: Record<string, string> = { ...plan.staticHeaders };
  plan.secrets.forEach((secret, i) => {
    const value = values[i] as string;
    headers[secret.header] = secret.bearer ? `Bearer ${value}` : value;
  });
  return headers;
}
