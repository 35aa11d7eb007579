import { LOCAL_PROVIDER } from './builtin-defaults.js';
import { closestMatches } from './did-you-mean.js';
import type { KeyPath, ProblemList } from './problem-list.js';
import { matchPrefix } from './route-prefixes.js';
import type { RawRouting } from './routing-schemas.js';
import type { RoutePrefix, RouteRule } from './types.js';

/** The providers of the file: those that compiled, and every name declared (even if broken). */
export interface ProviderNames {
  valid: ReadonlySet<string>;
  declared: ReadonlySet<string>;
}

/** What a routable name can lead to, known at config load. */
export interface NameTable {
  /** Every configured model name and alias → the model's name. */
  owners: ReadonlyMap<string, string>;
  /** Names of the local models. */
  local: ReadonlySet<string>;
  /** The prefix table in force (see routePrefixes). */
  prefixes: readonly RoutePrefix[];
}

/** A name as a fallback sees it: the configured model (or prefixed name) it leads to, or why not. */
export type NameRoute = { name: string } | { problem: string };

/**
 * Where a fallback name leads: a configured name or alias (→ the model's name), `mlx/<local
 * model>` (→ that model), or `<prefix><model id>` of a configured provider (→ kept as written).
 * Regex rules are not consulted: a fallback names its target explicitly.
 */
export function routeOfName(name: string, table: NameTable): NameRoute {
  const owner = table.owners.get(name);
  if (owner !== undefined) return { name: owner };
  const prefixed = matchPrefix(table.prefixes, name);
  if (prefixed === undefined) {
    const near = closestMatches(name, table.owners.keys(), 1)[0];
    return {
      problem: `"${name}" is not a configured model${near ? `; did you mean "${near}"?` : ''}`,
    };
  }
  if (prefixed.entry.provider !== LOCAL_PROVIDER) return { name };
  const local = table.owners.get(prefixed.rest);
  if (local !== undefined && table.local.has(local)) return { name: local };
  return { problem: `"${name}" names no configured local model ("${prefixed.rest}")` };
}

function providerProblem(provider: string, providers: ProviderNames): string | undefined {
  if (provider === LOCAL_PROVIDER || providers.valid.has(provider)) return undefined;
  // A provider that is declared but has problems of its own is reported there.
  if (providers.declared.has(provider)) return '';
  const near = closestMatches(provider, providers.valid, 1)[0];
  return `"${provider}" is not a configured provider${near ? `; did you mean "${near}"?` : ''} (add it under providers:)`;
}

/** `routing.prefixes`: each names a provider (or `mlx`); no prefix is listed twice. */
export function compilePrefixes(
  raw: RawRouting['prefixes'],
  providers: ProviderNames,
  problems: ProblemList,
): RoutePrefix[] {
  const out: RoutePrefix[] = [];
  const seen = new Map<string, number>();
  (raw ?? []).forEach((entry, index) => {
    const at: KeyPath = ['routing', 'prefixes', index];
    const before = problems.size;
    const earlier = seen.get(entry.prefix);
    if (earlier !== undefined) {
      problems.add(
        [...at, 'prefix'],
        `"${entry.prefix}" is already routing.prefixes[${earlier}]; list each prefix once`,
      );
    }
    seen.set(entry.prefix, index);
    const problem = providerProblem(entry.provider, providers);
    if (problem) problems.add([...at, 'provider'], problem, { value: entry.provider });
    if (entry.provider === LOCAL_PROVIDER && entry.strip === false) {
      problems.add(
        [...at, 'strip'],
        `a prefix of the local models (provider "${LOCAL_PROVIDER}") always strips: the rest of the name is the configured model`,
      );
    }
    if (problem === undefined && problems.size === before) {
      out.push({ prefix: entry.prefix, provider: entry.provider, strip: entry.strip ?? true });
    }
  });
  return out;
}

/** How many capture groups a regular expression has. */
function groupCount(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;
}

/** The highest `$N` of an upstreamModel template (`$$` is a literal `$`). */
function highestGroup(template: string): number {
  let highest = -1;
  for (const ref of template.matchAll(/\$(\$|\d)/g)) {
    if (ref[1] !== '$') highest = Math.max(highest, Number(ref[1]));
  }
  return highest;
}

function compileRegex(source: string, at: KeyPath, problems: ProblemList): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch (err) {
    const detail = (err as Error).message.replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /,
      '',
    );
    problems.add([...at, 'match'], `not a valid regular expression: ${detail}`, {
      value: source,
    });
    return undefined;
  }
}

/**
 * `routing.rules`: a valid regex each, exactly one of provider/model, an upstreamModel template
 * whose `$N` exist in the regex, and fallbacks that lead somewhere.
 */
export function compileRules(
  raw: RawRouting['rules'],
  providers: ProviderNames,
  names: NameTable,
  problems: ProblemList,
): RouteRule[] {
  const out: RouteRule[] = [];
  (raw ?? []).forEach((entry, index) => {
    const at: KeyPath = ['routing', 'rules', index];
    const before = problems.size;
    const regex = compileRegex(entry.match, at, problems);
    const rule: RouteRule = { match: entry.match, fallbacks: [] };
    if ((entry.provider === undefined) === (entry.model === undefined)) {
      problems.add(
        at,
        'set either provider (send the name to a provider) or model (send it to a configured model)',
      );
    } else if (entry.provider !== undefined) {
      if (entry.provider === LOCAL_PROVIDER) {
        problems.add(
          [...at, 'provider'],
          `to route to a local model write model: <name> instead of provider: ${LOCAL_PROVIDER}`,
        );
      } else {
        const problem = providerProblem(entry.provider, providers);
        if (problem) problems.add([...at, 'provider'], problem, { value: entry.provider });
      }
      rule.provider = entry.provider;
      if (entry.upstreamModel !== undefined) {
        const highest = highestGroup(entry.upstreamModel);
        if (regex && highest > groupCount(regex)) {
          problems.add(
            [...at, 'upstreamModel'],
            `uses $${highest} but the pattern has ${groupCount(regex)} group(s)`,
            { value: entry.upstreamModel },
          );
        }
        rule.upstreamModel = entry.upstreamModel;
      }
    } else if (entry.model !== undefined) {
      const owner = names.owners.get(entry.model);
      if (owner === undefined) {
        const near = closestMatches(entry.model, names.owners.keys(), 1)[0];
        problems.add(
          [...at, 'model'],
          `"${entry.model}" is not a configured model${near ? `; did you mean "${near}"?` : ''}`,
        );
      } else {
        rule.model = owner;
      }
      if (entry.upstreamModel !== undefined) {
        problems.add(
          [...at, 'upstreamModel'],
          'applies only to provider rules; a configured model sends its own upstreamModel',
        );
      }
    }
    (entry.fallbacks ?? []).forEach((fallback, i) => {
      const route = routeOfName(fallback, names);
      if ('problem' in route) problems.add([...at, 'fallbacks', i], route.problem);
      else if (route.name === rule.model || rule.fallbacks.includes(route.name)) {
        problems.add([...at, 'fallbacks', i], `"${fallback}" is already in this rule's chain`);
      } else rule.fallbacks.push(route.name);
    });
    if (problems.size === before) out.push(rule);
  });
  return out;
}
