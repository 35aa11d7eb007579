import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, LOCAL_PROVIDER, matchPrefix, routePrefixes } from '@mlx-gateway/shared';
import type {
  ModelConfig,
  ProviderConfig,
  RemoteModelConfig,
  RoutePrefix,
  RouteRule,
  RoutingConfig,
} from '@mlx-gateway/shared';
import { modelNotFoundError } from './not-found.js';
import { providerModel } from './provider-model.js';
import { ResolutionCache } from './resolution-cache.js';
import type { MatchKind, Resolution, Target } from './target.js';
import { expandTemplate } from './upstream-template.js';

/** The routing parts of the config besides the models. */
export interface RoutingSections {
  providers?: readonly ProviderConfig[] | undefined;
  routing?: RoutingConfig | undefined;
}

/** Requested names longer than this are never matched against prefixes or rules. */
export const MAX_ROUTED_NAME_LENGTH = 256;
/** Resolutions of prefixed and rule-matched names kept for reuse. */
const DYNAMIC_CACHE_LIMIT = 1024;

interface CompiledRule {
  rule: RouteRule;
  regex: RegExp;
  /** For a provider rule: the provider's shared model settings. */
  provider?: { name: string; model: RemoteModelConfig };
  /** For a model rule: the targets of the configured model, its fallbacks included. */
  modelTargets?: readonly Target[];
  fallbacks: readonly Target[];
}

function configError(message: string): GatewayError {
  return new GatewayError(ErrorCodes.CONFIG_INVALID, message);
}

function targetOf(model: ModelConfig): Target {
  return { name: model.name, model, upstreamModel: model.upstreamModel };
}

function appendUnique(targets: Target[], more: readonly Target[]): Target[] {
  for (const target of more) {
    if (!targets.some((t) => t.name === target.name)) targets.push(target);
  }
  return targets;
}

/**
 * Resolves the model name of a request to an ordered list of targets: the primary target, then
 * its fallbacks. Names are tried in a fixed order: a configured name (exactly), an alias, a
 * prefix (the longest that matches: `mlx/<local model>`, `<provider>/<model id>`, or a
 * configured one), then the regex rules in order. Built once from the config, regexes
 * included; configured names and aliases resolve with one map lookup and no allocation, and
 * the resolutions of prefixed and rule-matched names are cached (bounded).
 */
export class ModelRouter {
  readonly models: readonly ModelConfig[];
  /** Every name a client may send that /v1/models lists: model names and aliases, in config order. */
  readonly publicNames: readonly string[];
  readonly providers: readonly ProviderConfig[];
  /** The prefix table in force, built-in prefixes included, longest first. */
  readonly prefixes: readonly RoutePrefix[];
  readonly rules: readonly RouteRule[];
  private readonly byName = new Map<string, Target>();
  private readonly byAlias = new Map<string, Target>();
  private readonly providerModels = new Map<string, RemoteModelConfig>();
  private readonly localNames: string[] = [];
  private readonly compiledRules: CompiledRule[] = [];
  private readonly resolved = new Map<string, Resolution>();
  private readonly dynamic = new ResolutionCache(DYNAMIC_CACHE_LIMIT);

  constructor(models: readonly ModelConfig[], sections: RoutingSections = {}) {
    this.models = models;
    this.providers = sections.providers ?? [];
    this.prefixes = routePrefixes(this.providers, sections.routing?.prefixes);
    this.rules = sections.routing?.rules ?? [];
    for (const provider of this.providers) {
      this.providerModels.set(provider.name, providerModel(provider));
    }
    for (const entry of this.prefixes) {
      if (entry.provider !== LOCAL_PROVIDER && !this.providerModels.has(entry.provider)) {
        throw configError(
          `prefix '${entry.prefix}' names provider '${entry.provider}', which is not configured`,
        );
      }
    }
    this.publicNames = this.indexNames(models);

    for (const name of this.publicNames) {
      this.resolved.set(name, this.configured(name));
    }
    for (const rule of this.rules) this.compiledRules.push(this.compileRule(rule));
  }

  /** The targets for a requested name, or undefined when nothing routes it. */
  resolve(name: string): Resolution | undefined {
    const known = this.resolved.get(name);
    if (known !== undefined) return known;
    if (name.length > MAX_ROUTED_NAME_LENGTH) return undefined;
    const cached = this.dynamic.get(name);
    if (cached !== undefined) return cached;
    const resolution = this.route(name);
    if (resolution !== undefined) this.dynamic.set(name, resolution);
    return resolution;
  }

  /** The configured model of a public name (not an alias). */
  model(name: string): ModelConfig | undefined {
    return this.byName.get(name)?.model;
  }

  /**
   * The error for a name nothing routes: the closest configured names (or local models for
   * `mlx/…`), or how to configure the provider of a well-known prefix.
   */
  notFound(name: string): GatewayError {
    return modelNotFoundError(name, {
      publicNames: this.publicNames,
      localNames: this.localNames,
      prefixes: this.prefixes,
      maxComparedLength: MAX_ROUTED_NAME_LENGTH,
    });
  }

  private indexNames(models: readonly ModelConfig[]): string[] {
    const names: string[] = [];
    for (const model of models) {
      if (this.byName.has(model.name)) {
        throw configError(`model '${model.name}' is configured twice`);
      }
      this.byName.set(model.name, targetOf(model));
    }
    for (const model of models) {
      names.push(model.name);
      if (model.kind === 'local') this.localNames.push(model.name);
      for (const alias of model.aliases) {
        const owner = this.byName.get(alias)?.name ?? this.byAlias.get(alias)?.name;
        if (owner !== undefined && owner !== model.name) {
          throw configError(
            `alias '${alias}' of model '${model.name}' is already the name or an alias of '${owner}'`,
          );
        }
        if (owner === undefined) {
          this.byAlias.set(alias, targetOf(model));
          names.push(alias);
          if (model.kind === 'local') this.localNames.push(alias);
        }
      }
    }
    return names;
  }

  /** A configured name or alias: the model, then its fallbacks. */
  private configured(name: string): Resolution {
    const exact = this.byName.get(name);
    const target = (exact ?? this.byAlias.get(name)) as Target;
    const targets: Target[] = [target];
    for (const fallback of target.model.fallbacks) {
      const next = this.single(fallback);
      if (next === undefined) {
        throw configError(
          `fallback '${fallback}' of model '${target.name}' is not a configured model`,
        );
      }
      appendUnique(targets, [next]);
    }
    return { requested: name, matchedBy: exact ? 'exact' : 'alias', targets };
  }

  /**
   * The one target a fallback name stands for: a configured name or alias, or a prefixed name.
   * Regex rules are not consulted: a fallback names its target explicitly.
   */
  private single(name: string): Target | undefined {
    const configured = this.byName.get(name) ?? this.byAlias.get(name);
    if (configured !== undefined) return configured;
    return this.prefixed(name)?.[0];
  }

  /** Targets of a name by prefix, or undefined when no prefix matches or its target is missing. */
  private prefixed(name: string): readonly Target[] | undefined {
    const hit = matchPrefix(this.prefixes, name);
    if (hit === undefined) return undefined;
    if (hit.entry.provider === LOCAL_PROVIDER) {
      const local = this.byName.get(hit.rest) ?? this.byAlias.get(hit.rest);
      if (local === undefined || local.model.kind !== 'local') return undefined;
      return this.resolved.get(local.name)?.targets ?? [local];
    }
    const model = this.providerModels.get(hit.entry.provider) as RemoteModelConfig;
    return [
      {
        name,
        model,
        upstreamModel: hit.entry.strip ? hit.rest : name,
        provider: hit.entry.provider,
      },
    ];
  }

  /** Prefixes, then regex rules, for a name that is neither configured nor an alias. */
  private route(name: string): Resolution | undefined {
    if (matchPrefix(this.prefixes, name) !== undefined) {
      const targets = this.prefixed(name);
      return targets && this.resolution(name, 'prefix', targets);
    }
    for (const compiled of this.compiledRules) {
      const match = compiled.regex.exec(name);
      if (match === null) continue;
      const first: readonly Target[] = compiled.provider
        ? [
            {
              name,
              model: compiled.provider.model,
              upstreamModel:
                compiled.rule.upstreamModel === undefined
                  ? name
                  : expandTemplate(compiled.rule.upstreamModel, match),
              provider: compiled.provider.name,
            },
          ]
        : (compiled.modelTargets as readonly Target[]);
      return this.resolution(name, 'rule', appendUnique([...first], compiled.fallbacks));
    }
    return undefined;
  }

  private resolution(name: string, kind: MatchKind, targets: readonly Target[]): Resolution {
    return { requested: name, matchedBy: kind, targets };
  }

  private compileRule(rule: RouteRule): CompiledRule {
    const fallbacks: Target[] = [];
    for (const fallback of rule.fallbacks) {
      const target = this.single(fallback);
      if (target === undefined) {
        throw configError(`fallback '${fallback}' of routing rule '${rule.match}' is not routable`);
      }
      fallbacks.push(target);
    }
    const compiled: CompiledRule = { rule, regex: new RegExp(rule.match), fallbacks };
    if (rule.provider !== undefined) {
      const model = this.providerModels.get(rule.provider);
      if (model === undefined) {
        throw configError(
          `routing rule '${rule.match}' names provider '${rule.provider}', which is not configured`,
        );
      }
      compiled.provider = { name: rule.provider, model };
    } else {
      const targets = rule.model === undefined ? undefined : this.resolved.get(rule.model)?.targets;
      if (targets === undefined) {
        throw configError(
          `routing rule '${rule.match}' names model '${rule.model ?? ''}', which is not configured`,
        );
      }
      compiled.modelTargets = targets;
    }
    return compiled;
  }
}
