import type { LimitScopeKind, LimitUsage } from '@mlx-gateway/shared/clients';

/** Where usage was read: the shared Redis (`state.redis`) or a running proxy's report. */
export type UsageSource = 'redis' | 'proxy';

/** The usage of the limited client keys and models, or why it could not be read. */
export interface UsageReading {
  source?: UsageSource;
  /** `redis://host:port/db` or the proxy's URL. */
  from?: string;
  /** When the counts were read (epoch ms). */
  at?: number;
  /** By scopeId(kind, name); a scope missing here was not read. */
  usage: Map<string, LimitUsage>;
  /** Why some or all usage is not shown, for the operator. */
  note?: string;
}

export interface ReadUsageOptions {
  /** A proxy to ask (`--proxy URL`) instead of Redis or the config's listen address. */
  proxyUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** The key of a client key's or a model's usage in UsageReading.usage. */
export function scopeId(kind: LimitScopeKind, name: string): string {
  return `${kind}:${name}`;
}
