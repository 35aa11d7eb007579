import type {
  ModelConfig,
  ProviderConfig,
  RoutePrefix,
  RouteRule,
  RouteTable,
} from '@mlx-gateway/shared/config';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import { modelNotFoundError } from './not-found.js';
import { ResolutionCache } from './resolution-cache.js';
import type { Resolution } from './target.js';

/** Requested names longer than this are never matched against prefixes or rules. */
export const MAX_ROUTED_NAME_LENGTH = 256;
/** Resolutions of prefixed and rule-matched names kept for reuse. */
const DYNAMIC_CACHE_LIMIT = 1024;

/**
 * Resolves the model name of a request to an ordered list of targets: the primary target, then
 * its fallbacks. The routes are resolved once, when the config is compiled (RouteTable in
 * @mlx-gateway/shared): names are tried in a fixed order, a configured name (exactly), an
 * alias, a prefix (the longest that matches: `mlx/<local model>`, `<provider>/<model id>`, or a
 * configured one), then the regex rules in order. The router only looks them up: configured
 * names and aliases with one map lookup and no allocation, and the resolutions of prefixed and
 * rule-matched names are cached (bounded).
 */
export class ModelRouter {
  readonly models: readonly ModelConfig[];
  /** Every name a client may send that /v1/models lists: model names and aliases, in config order. */
  readonly publicNames: readonly string[];
  readonly providers: readonly ProviderConfig[];
  /** The prefix table in force, built-in prefixes included, longest first. */
  readonly prefixes: readonly RoutePrefix[];
  readonly rules: readonly RouteRule[];
  private readonly configured: ReadonlyMap<string, Resolution>;
  private readonly dynamic = new ResolutionCache(DYNAMIC_CACHE_LIMIT);

  constructor(private readonly table: RouteTable) {
    this.models = table.models;
    this.publicNames = table.publicNames;
    this.providers = table.providers;
    this.prefixes = table.prefixes;
    this.rules = table.rules;
    this.configured = table.configured;
  }

  /** The targets for a requested name, or undefined when nothing routes it. */
  resolve(name: string): Resolution | undefined {
    const known = this.configured.get(name);
    if (known !== undefined) return known;
    if (name.length > MAX_ROUTED_NAME_LENGTH) return undefined;
    const cached = this.dynamic.get(name);
    if (cached !== undefined) return cached;
    const resolution = this.table.match(name);
    if (resolution !== undefined) this.dynamic.set(name, resolution);
    return resolution;
  }

  /** The configured model of a public name (not an alias). */
  model(name: string): ModelConfig | undefined {
    return this.table.model(name);
  }

  /**
   * The error for a name nothing routes: the closest configured names (or local models for
   * `mlx/…`), or how to configure the provider of a well-known prefix.
   */
  notFound(name: string): GatewayError {
    return modelNotFoundError(name, {
      publicNames: this.publicNames,
      localNames: this.table.localNames,
      prefixes: this.prefixes,
      maxComparedLength: MAX_ROUTED_NAME_LENGTH,
    });
  }
}
