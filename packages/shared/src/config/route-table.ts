import { LOCAL_PROVIDER } from './builtin-defaults.js';
import { routeOfName } from './compile-routing.js';
import type { NameTable } from './compile-routing.js';
import { providerModel } from './provider-model.js';
import { matchPrefix, routePrefixes } from './route-prefixes.js';
import type {
  ModelConfig,
  ProviderConfig,
  RemoteModelConfig,
  RoutePrefix,
  RouteRule,
  RoutingConfig,
} from './types.js';
import { expandTemplate } from './upstream-template.js';

/** One place a request can be sent: a configured model and the model id the upstream expects. */
export interface RouteTarget {
  /**
   * Public name the request log and errors show: the configured model's name, or the requested
   * name itself when a provider prefix or rule routed it (`openai/gpt-4o`).
   */
  name: string;
  /** The configured model, or the settings of the provider a prefix or rule routed to. */
  model: ModelConfig;
  /** Replaces `model` in the body sent upstream. */
  upstreamModel: string;
  /** The provider a prefix or rule routed to (absent for a configured model). */
  provider?: string;
}

/** Which rule matched the requested name. */
export type RouteMatchKind = 'exact' | 'alias' | 'prefix' | 'rule';

/** Where a requested model name goes: the primary target first, then its fallbacks in order. */
export interface RouteResolution {
  requested: string;
  matchedBy: RouteMatchKind;
  targets: readonly RouteTarget[];
}

/** The routing parts of the config besides the models. */
export interface RoutingSections {
  providers?: readonly ProviderConfig[] | undefined;
  routing?: RoutingConfig | undefined;
}

interface CompiledRule {
  regex: RegExp;
  /** The rule's upstream model template (provider rules). */
  upstreamModel: string | undefined;
  /** For a provider rule: the provider's shared model settings. */
  provider?: { name: string; model: RemoteModelConfig };
  /** For a model rule: the targets of the configured model, its fallbacks included. */
  modelTargets?: readonly RouteTarget[];
  fallbacks: readonly RouteTarget[];
}

function targetOf(model: ModelConfig): RouteTarget {
  return { name: model.name, model, upstreamModel: model.upstreamModel };
}

function appendUnique(targets: RouteTarget[], more: readonly RouteTarget[]): RouteTarget[] {
  for (const target of more) {
    if (!targets.some((t) => t.name === target.name)) targets.push(target);
  }
  return targets;
}

/**
 * A config that did not come through compileConfig (which reports every such problem to the
 * operator): the routes cannot be built from it.
 */
function unchecked(problem: string): Error {
  return new Error(`the routes of an unchecked config cannot be built: ${problem}`);
}

/**
 * The routes of a compiled config, resolved once when the proxy starts: every configured name
 * and alias with its whole fallback chain, the prefix table in force, the providers' model
 * settings and the regex rules with their targets. What a name leads to is decided by the same
 * function that checked the config (routeOfName), so the two cannot disagree. The proxy's
 * router only looks names up here: `configured` for the names of the config (one map lookup,
 * the same object every time), `match` for the names a prefix or a rule routes.
 */
export class RouteTable {
  readonly models: readonly ModelConfig[];
  /** Every name a client may send that /v1/models lists: model names and aliases, in config order. */
  readonly publicNames: readonly string[];
  /** Names and aliases of the local models. */
  readonly localNames: readonly string[];
  readonly providers: readonly ProviderConfig[];
  /** The prefix table in force, built-in prefixes included, longest first. */
  readonly prefixes: readonly RoutePrefix[];
  readonly rules: readonly RouteRule[];
  /** Every configured name and alias → its resolution (the model, then its fallbacks). */
  readonly configured: ReadonlyMap<string, RouteResolution>;
  private readonly byName = new Map<string, RouteTarget>();
  private readonly names: NameTable;
  private readonly providerModels = new Map<string, RemoteModelConfig>();
  private readonly compiledRules: CompiledRule[];

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
        throw unchecked(
          `prefix '${entry.prefix}' names provider '${entry.provider}', which is not configured`,
        );
      }
    }
    const owners = this.indexNames(models);
    this.names = {
      owners,
      local: new Set(models.filter((m) => m.kind === 'local').map((m) => m.name)),
      prefixes: this.prefixes,
    };
    this.publicNames = [...owners.keys()];
    this.localNames = this.publicNames.filter((name) =>
      this.names.local.has(owners.get(name) as string),
    );
    const configured = new Map<string, RouteResolution>();
    this.configured = configured;
    for (const [name, owner] of owners) {
      const target = this.byName.get(owner) as RouteTarget;
      const fallbacks = this.fallbacks(target.model.fallbacks, `model '${owner}'`);
      configured.set(name, {
        requested: name,
        matchedBy: name === owner ? 'exact' : 'alias',
        targets: appendUnique([target], fallbacks),
      });
    }
    this.compiledRules = this.rules.map((rule) => this.compileRule(rule));
  }

  /** The configured model of a public name (not an alias). */
  model(name: string): ModelConfig | undefined {
    return this.byName.get(name)?.model;
  }

  /**
   * Routes a name that is neither configured nor an alias: the longest prefix that matches,
   * else the first regex rule. A new resolution each time (the caller caches).
   */
  match(name: string): RouteResolution | undefined {
    if (matchPrefix(this.prefixes, name) !== undefined) {
      const targets = this.prefixed(name);
      return targets && { requested: name, matchedBy: 'prefix', targets };
    }
    for (const compiled of this.compiledRules) {
      const match = compiled.regex.exec(name);
      if (match === null) continue;
      const first: readonly RouteTarget[] = compiled.provider
        ? [
            {
              name,
              model: compiled.provider.model,
              upstreamModel:
                compiled.upstreamModel === undefined
                  ? name
                  : expandTemplate(compiled.upstreamModel, match),
              provider: compiled.provider.name,
            },
          ]
        : (compiled.modelTargets as readonly RouteTarget[]);
      const targets = appendUnique([...first], compiled.fallbacks);
      return { requested: name, matchedBy: 'rule', targets };
    }
    return undefined;
  }

  /** Model names, then aliases, each → its model's name, in config order. */
  private indexNames(models: readonly ModelConfig[]): Map<string, string> {
    const owners = new Map<string, string>();
    for (const model of models) {
      if (this.byName.has(model.name)) throw unchecked(`model '${model.name}' is configured twice`);
      this.byName.set(model.name, targetOf(model));
    }
    for (const model of models) {
      owners.set(model.name, model.name);
      for (const alias of model.aliases) {
        const owner = this.byName.has(alias) ? alias : owners.get(alias);
        if (owner !== undefined && owner !== model.name) {
          throw unchecked(
            `alias '${alias}' of model '${model.name}' is already the name or an alias of '${owner}'`,
          );
        }
        if (owner === undefined) owners.set(alias, model.name);
      }
    }
    return owners;
  }

  /** The targets of fallback names (each one target: regex rules are not consulted). */
  private fallbacks(names: readonly string[], of: string): RouteTarget[] {
    return names.map((fallback) => {
      const route = routeOfName(fallback, this.names);
      const target =
        'problem' in route
          ? undefined
          : (this.byName.get(route.name) ?? this.prefixed(route.name)?.[0]);
      if (target === undefined) {
        throw unchecked(`fallback '${fallback}' of ${of} is not a configured model or routable`);
      }
      return target;
    });
  }

  /** Targets of a name by prefix, or undefined when no prefix matches or its target is missing. */
  private prefixed(name: string): readonly RouteTarget[] | undefined {
    const hit = matchPrefix(this.prefixes, name);
    if (hit === undefined) return undefined;
    if (hit.entry.provider === LOCAL_PROVIDER) {
      const local = this.names.owners.get(hit.rest);
      if (local === undefined || !this.names.local.has(local)) return undefined;
      return this.configured.get(local)?.targets ?? [this.byName.get(local) as RouteTarget];
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

  private compileRule(rule: RouteRule): CompiledRule {
    const compiled: CompiledRule = {
      regex: new RegExp(rule.match),
      upstreamModel: rule.upstreamModel,
      fallbacks: this.fallbacks(rule.fallbacks, `routing rule '${rule.match}'`),
    };
    if (rule.provider !== undefined) {
      const model = this.providerModels.get(rule.provider);
      if (model === undefined) {
        throw unchecked(
          `routing rule '${rule.match}' names provider '${rule.provider}', which is not configured`,
        );
      }
      compiled.provider = { name: rule.provider, model };
    } else {
      const targets =
        rule.model === undefined ? undefined : this.configured.get(rule.model)?.targets;
      if (targets === undefined) {
        throw unchecked(
          `routing rule '${rule.match}' names model '${rule.model ?? ''}', which is not configured`,
        );
      }
      compiled.modelTargets = targets;
    }
    return compiled;
  }
}
