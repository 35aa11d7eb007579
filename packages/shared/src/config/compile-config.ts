import { homedir } from 'node:os';
import { join } from 'node:path';
import { auditSchema, compileAudit, compileMetrics, metricsSchema } from './audit-schema.js';
import { DEFAULT_PROXY } from './builtin-defaults.js';
import { checkListenPort, compileSupervisor } from './compile-supervisor.js';
import { isMapping, parseSection } from './parse-section.js';
import { compileModel } from './compile-model.js';
import { compileProviderModel, namesProvider } from './compile-provider-model.js';
import { compileProviders } from './compile-providers.js';
import { compilePrefixes, compileRules, routeOfName } from './compile-routing.js';
import type { NameTable, ProviderNames } from './compile-routing.js';
import { ConfigError } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { listenField } from './listen.js';
import { formatPath, ProblemList } from './problem-list.js';
import { routePrefixes } from './route-prefixes.js';
import { routingSchema } from './routing-schemas.js';
import { defaultsSchema, proxySchema, responsesSchema } from './section-schemas.js';
import { compileState } from './state-schema.js';
import type {
  GatewayConfig,
  ModelConfig,
  ProviderConfig,
  ProxyConfig,
  RoutePrefix,
} from './types.js';
import { upstreamUrlProblem } from './upstream-url-check.js';

export interface CompileContext {
  /** The gateway's home directory (default endpoints live in `<home>/run`). */
  home: string;
  /** Shown in error messages; also recorded in the result. */
  file?: string;
  /** Read only for HOME (a leading `~/` in paths); `${env:NAME}` references are never resolved here. */
  env?: NodeJS.ProcessEnv;
}

const TOP_KEYS = [
  'listen',
  'proxy',
  'supervisor',
  'defaults',
  'providers',
  'routing',
  'models',
  'state',
  'audit',
  'metrics',
  'responses',
];

function homeExpander(env: NodeJS.ProcessEnv | undefined): (path: string) => string {
  const userHome = env?.['HOME'] || homedir();
  return (path) =>
    path === '~' ? userHome : path.startsWith('~/') ? join(userHome, path.slice(2)) : path;
}

/**
 * Validates a parsed config file (the YAML as plain data) and compiles it to a GatewayConfig
 * in one step: durations in ms, sizes in bytes, argv built, defaults applied, API keys as
 * references. Every problem is collected and thrown together as one ConfigError.
 */
export function compileConfig(raw: unknown, ctx: CompileContext): GatewayConfig {
  const label = ctx.file ?? 'config';
  const problems = new ProblemList();
  const expandHome = homeExpander(ctx.env);
  const root = raw ?? {};
  if (!isMapping(root)) {
    problems.add([], `expected a mapping of settings (${TOP_KEYS.join(', ')})`, { value: raw });
    throw new ConfigError(label, problems.items);
  }
  for (const key of Object.keys(root)) {
    if (TOP_KEYS.includes(key)) continue;
    const hint = didYouMean(key, TOP_KEYS);
    problems.add(
      [key],
      hint ? `unknown key; ${hint}` : `unknown key (known keys: ${TOP_KEYS.join(', ')})`,
    );
  }

  const proxy = compileProxy(root, problems);

  const supervisor = compileSupervisor(root['supervisor'], ctx.home, expandHome, problems);
  checkListenPort(proxy, supervisor, problems);

  const defaults =
    parseSection(defaultsSchema(), root['defaults'], ['defaults'], problems) ?? undefined;
  const providers = compileProviders(root['providers'], { problems, defaults });
  const providerNames: ProviderNames = {
    valid: new Set(providers.map((p) => p.name)),
    declared: new Set(isMapping(root['providers']) ? Object.keys(root['providers']) : []),
  };
  const routing =
    parseSection(routingSchema(), root['routing'], ['routing'], problems) ?? undefined;
  const prefixes = compilePrefixes(routing?.prefixes, providerNames, problems);
  const { models, names } = compileModels(
    root['models'],
    { problems, defaults, expandHome },
    { providers, providerNames, prefixes: routePrefixes(providers, prefixes) },
  );
  const rules = compileRules(routing?.rules, providerNames, names, problems);
  for (const m of models) {
    if (m.kind === 'local' && m.wedgedAfter === undefined && supervisor.wedgedAfter !== undefined)
      m.wedgedAfter = supervisor.wedgedAfter;
  }
  checkModelUrls(models, problems);
  const state = compileState(root['state'], problems, expandHome);

  const audit = compileAudit(
    parseSection(auditSchema(), root['audit'], ['audit'], problems) ?? undefined,
    ctx.home,
    expandHome,
  );
  const metrics = compileMetrics(
    parseSection(metricsSchema(), root['metrics'], ['metrics'], problems) ?? undefined,
  );

  const responses = parseSection(responsesSchema(), root['responses'], ['responses'], problems);

  if (problems.size > 0) throw new ConfigError(label, problems.items);
  const config: GatewayConfig = {
    home: ctx.home,
    proxy,
    supervisor,
    models,
    state,
    audit,
    metrics,
  };
  if (responses?.ttl !== undefined) config.responses = { ttlMs: responses.ttl };
  if (ctx.file !== undefined) config.file = ctx.file;
  if (providers.length > 0) config.providers = providers;
  if (routing) config.routing = { prefixes, rules };
  return config;
}

/** `listen:` and `proxy:` over the built-in defaults. */
function compileProxy(root: Record<string, unknown>, problems: ProblemList): ProxyConfig {
  const listen = parseSection(listenField().nullish(), root['listen'], ['listen'], problems);
  const proxyRaw = parseSection(proxySchema(), root['proxy'], ['proxy'], problems);
  const proxy: ProxyConfig = {
    host: listen?.host ?? DEFAULT_PROXY.host,
    port: listen?.port ?? DEFAULT_PROXY.port,
    bodyLimitBytes: proxyRaw?.bodyLimit ?? DEFAULT_PROXY.bodyLimitBytes,
    maxJsonDepth: proxyRaw?.maxJsonDepth ?? DEFAULT_PROXY.maxJsonDepth,
    headersTimeoutMs: proxyRaw?.headersTimeout ?? DEFAULT_PROXY.headersTimeoutMs,
    bodyTimeoutMs: proxyRaw?.bodyTimeout ?? DEFAULT_PROXY.bodyTimeoutMs,
    heartbeatMs: proxyRaw?.heartbeat ?? DEFAULT_PROXY.heartbeatMs,
    controlTimeoutMs: proxyRaw?.controlTimeout ?? DEFAULT_PROXY.controlTimeoutMs,
    pool: {
      connections: proxyRaw?.pool?.connections ?? DEFAULT_PROXY.pool.connections,
      keepAliveTimeoutMs: proxyRaw?.pool?.keepAlive ?? DEFAULT_PROXY.pool.keepAliveTimeoutMs,
    },
  };
  return proxy;
}

/** Remote model URLs pass the SSRF policy at load (provider URLs are checked with their section). */
function checkModelUrls(models: ModelConfig[], problems: ProblemList): void {
  for (const model of models) {
    if (model.kind !== 'remote' || model.provider !== undefined) continue;
    const refused = upstreamUrlProblem(model.baseUrl, model.allowPrivateNetwork);
    if (refused !== undefined) {
      problems.add(['models', model.name, 'url'], refused, { value: model.baseUrl });
    }
  }
}

interface RouteContext {
  providers: ProviderConfig[];
  providerNames: ProviderNames;
  /** The prefix table in force, for fallbacks given as prefixed names. */
  prefixes: RoutePrefix[];
}

function compileModels(
  value: unknown,
  ctx: Parameters<typeof compileModel>[2],
  routes: RouteContext,
): { models: ModelConfig[]; names: NameTable } {
  const { problems } = ctx;
  const none: NameTable = { owners: new Map(), local: new Set(), prefixes: routes.prefixes };
  if (value === undefined || value === null) return { models: [], names: none };
  if (!isMapping(value)) {
    problems.add(['models'], 'expected a mapping of model names to their settings', { value });
    return { models: [], names: none };
  }
  const declared = Object.keys(value);
  const models: ModelConfig[] = [];
  const byName = new Map(routes.providers.map((p) => [p.name, p]));
  for (const name of declared) {
    const raw = value[name];
    const model = namesProvider(raw)
      ? compileProviderModel(name, raw, byName, routes.providerNames, ctx)
      : compileModel(name, raw, ctx);
    if (model) models.push(model);
  }
  const owners = checkNames(declared, models, problems);
  const names: NameTable = {
    owners: new Map([...owners].map(([name, owner]) => [name, owner.canonical])),
    local: new Set(models.filter((m) => m.kind === 'local').map((m) => m.name)),
    prefixes: routes.prefixes,
  };
  resolveFallbacks(models, names, problems);
  const compiled = new Set(models.map((m) => m.name));
  for (const name of declared) {
    if (!compiled.has(name)) checkRawFallbacks(name, value[name], names, problems);
  }
  return { models, names };
}

/**
 * The fallbacks of a model that has other problems still name models that must exist: say so
 * now rather than after the other problems are fixed.
 */
function checkRawFallbacks(
  name: string,
  raw: unknown,
  names: NameTable,
  problems: ProblemList,
): void {
  const fallbacks = isMapping(raw) ? raw['fallbacks'] : undefined;
  if (!Array.isArray(fallbacks)) return;
  fallbacks.forEach((fallback: unknown, index) => {
    if (typeof fallback !== 'string') return;
    const route = routeOfName(fallback, names);
    if ('problem' in route) problems.add(['models', name, 'fallbacks', index], route.problem);
  });
}

interface NameOwner {
  canonical: string;
  where: string;
}

/** Names and aliases must be unique across all models (declared names count even when their entry has problems). Returns every name and alias → its model. */
function checkNames(
  declared: string[],
  models: ModelConfig[],
  problems: ProblemList,
): Map<string, NameOwner> {
  const owners = new Map<string, NameOwner>();
  for (const name of declared)
    owners.set(name, { canonical: name, where: formatPath(['models', name]) });
  for (const model of models) {
    model.aliases.forEach((alias, index) => {
      const path = ['models', model.name, 'aliases', index];
      const owner = owners.get(alias);
      if (alias === model.name) {
        problems.add(path, `"${alias}" is the model's own name`);
      } else if (owner) {
        problems.add(
          path,
          `"${alias}" is already used by ${owner.where}; names and aliases must be unique`,
        );
      } else {
        owners.set(alias, { canonical: model.name, where: formatPath(path) });
      }
    });
  }
  return owners;
}

/**
 * Fallbacks must name configured models (an alias resolves to its model's name, `mlx/<name>`
 * to that local model) or prefixed names of a configured provider (kept as written).
 */
function resolveFallbacks(models: ModelConfig[], names: NameTable, problems: ProblemList): void {
  for (const model of models) {
    const resolved: string[] = [];
    model.fallbacks.forEach((fallback, index) => {
      const path = ['models', model.name, 'fallbacks', index];
      const route = routeOfName(fallback, names);
      if ('problem' in route) {
        problems.add(path, route.problem);
      } else if (route.name === model.name) {
        problems.add(path, 'a model cannot fall back to itself');
      } else if (resolved.includes(route.name)) {
        problems.add(path, `"${fallback}" is listed twice`);
      } else {
        resolved.push(route.name);
      }
    });
    model.fallbacks = resolved;
  }
}
