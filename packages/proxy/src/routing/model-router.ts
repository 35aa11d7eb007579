import { ErrorCodes } from '@mlx-gateway/protocol';
import { closestMatches, GatewayError } from '@mlx-gateway/shared';
import type { ModelConfig } from '@mlx-gateway/shared';
import type { MatchKind, Resolution, Target } from './target.js';

/**
 * One way of matching a requested name to a target. The router tries its rules in order:
 * exact name, alias (and, as the config grows them, provider prefixes, then regex rules), so a
 * configured name always wins over a pattern.
 */
interface NameRule {
  kind: MatchKind;
  match(name: string): Target | undefined;
}

function targetOf(model: ModelConfig): Target {
  return { name: model.name, model, upstreamModel: model.upstreamModel };
}

function configError(message: string): GatewayError {
  return new GatewayError(ErrorCodes.CONFIG_INVALID, message);
}

/**
 * Resolves the model name of a request to an ordered list of targets: the model itself, then
 * its fallbacks. Built once from the config; resolutions of configured names and aliases are
 * computed up front, so resolving on the hot path is one map lookup with no allocation.
 */
export class ModelRouter {
  readonly models: readonly ModelConfig[];
  /** Every name a client may send: model names and aliases, in config order. */
  readonly publicNames: readonly string[];
  private readonly byName = new Map<string, Target>();
  private readonly byAlias = new Map<string, Target>();
  private readonly rules: readonly NameRule[];
  private readonly resolved = new Map<string, Resolution>();

  constructor(models: readonly ModelConfig[]) {
    this.models = models;
    const names: string[] = [];
    for (const model of models) {
      if (this.byName.has(model.name))
        throw configError(`model '${model.name}' is configured twice`);
      this.byName.set(model.name, targetOf(model));
    }
    for (const model of models) {
      names.push(model.name);
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
        }
      }
    }
    this.publicNames = names;
    this.rules = [
      { kind: 'exact', match: (name) => this.byName.get(name) },
      { kind: 'alias', match: (name) => this.byAlias.get(name) },
    ];
    for (const name of names) {
      const resolution = this.compute(name);
      if (resolution) this.resolved.set(name, resolution);
    }
  }

  /** The targets for a requested name, or undefined when no rule matches it. */
  resolve(name: string): Resolution | undefined {
    return this.resolved.get(name) ?? this.compute(name);
  }

  /** The configured model of a public name (not an alias). */
  model(name: string): ModelConfig | undefined {
    return this.byName.get(name)?.model;
  }

  /**
   * The error for a name no rule matches: it names the configured names closest to it (by edit
   * distance, or as a prefix), or a few configured names when none is close.
   */
  notFound(name: string): GatewayError {
    const closest = closestMatches(name, this.publicNames);
    const quoted = (names: readonly string[]): string =>
      names.map((candidate) => `'${candidate}'`).join(', ');
    const hint =
      closest.length > 0
        ? `did you mean ${quoted(closest)}?`
        : this.publicNames.length > 0
          ? `configured models include ${quoted(this.publicNames.slice(0, 3))}`
          : 'no models are configured';
    return new GatewayError(
      ErrorCodes.MODEL_NOT_FOUND,
      `model '${name}' is not configured; ${hint} (see GET /v1/models)`,
      { param: 'model' },
    );
  }

  private match(name: string): { kind: MatchKind; target: Target } | undefined {
    for (const rule of this.rules) {
      const target = rule.match(name);
      if (target) return { kind: rule.kind, target };
    }
    return undefined;
  }

  private compute(name: string): Resolution | undefined {
    const primary = this.match(name);
    if (!primary) return undefined;
    const targets: Target[] = [primary.target];
    for (const fallback of primary.target.model.fallbacks) {
      const next = this.match(fallback);
      if (!next) {
        throw configError(
          `fallback '${fallback}' of model '${primary.target.name}' is not a configured model`,
        );
      }
      if (!targets.some((target) => target.name === next.target.name)) targets.push(next.target);
    }
    return { requested: name, matchedBy: primary.kind, targets };
  }
}
