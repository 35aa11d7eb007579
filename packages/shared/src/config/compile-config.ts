import { homedir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { formatDuration } from '../units/duration.js';
import { auditSchema, compileAudit, compileMetrics, metricsSchema } from './audit-schema.js';
import { DEFAULT_PROXY, defaultSupervisor } from './builtin-defaults.js';
import { compileModel } from './compile-model.js';
import { compileProviderModel, namesProvider } from './compile-provider-model.js';
import { compileProviders } from './compile-providers.js';
import { compilePrefixes, compileRules, routeOfName } from './compile-routing.js';
import type { NameTable, ProviderNames } from './compile-routing.js';
import { ConfigError } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { compileEndpoint, ipcPathProblem } from './endpoint.js';
import { listenField } from './listen.js';
import { formatPath, ProblemList } from './problem-list.js';
import type { KeyPath } from './problem-list.js';
import { routePrefixes } from './route-prefixes.js';
import { routingSchema } from './routing-schemas.js';
import { formatPortRange, rangesOverlap } from './schema-fields.js';
import {
  defaultsSchema,
  proxySchema,
  responsesSchema,
  supervisorSchema,
} from './section-schemas.js';
import { compileState } from './state-schema.js';
import type {
  GatewayConfig,
  ModelConfig,
  PortRange,
  ProviderConfig,
  ProxyConfig,
  RoutePrefix,
  SupervisorConfig,
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

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseSection<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  path: KeyPath,
  problems: ProblemList,
): z.output<Schema> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  problems.addIssues(path, result.error.issues);
  // The keys that parsed still count, so that checks across keys (port ranges, backoff) run in
  // the same pass: every problem of the file is reported in one run, not one layer per fix.
  const bad = new Set(result.error.issues.map((i) => i.path[0]));
  if (!isMapping(value) || bad.has(undefined)) return undefined;
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !bad.has(key)));
  const partial = schema.safeParse(rest);
  return partial.success ? partial.data : undefined;
}

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

  const listen = parseSection(listenField().nullish(), root['listen'], ['listen'], problems);
  const proxyRaw = parseSection(proxySchema, root['proxy'], ['proxy'], problems);
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

  const supervisor = compileSupervisor(root['supervisor'], ctx.home, expandHome, problems);
  checkListenPort(proxy, supervisor, problems);

  const defaults =
    parseSection(defaultsSchema, root['defaults'], ['defaults'], problems) ?? undefined;
  const providers = compileProviders(root['providers'], { problems, defaults });
  const providerNames: ProviderNames = {
    valid: new Set(providers.map((p) => p.name)),
    declared: new Set(isMapping(root['providers']) ? Object.keys(root['providers']) : []),
  };
  const routing = parseSection(routingSchema, root['routing'], ['routing'], problems) ?? undefined;
  const prefixes = compilePrefixes(routing?.prefixes, providerNames, problems);
  const { models, names } = compileModels(
    root['models'],
    { problems, defaults, expandHome },
    { providers, providerNames, prefixes: routePrefixes(providers, prefixes) },
  );
  const rules = compileRules(routing?.rules, providerNames, names, problems);
  checkModelUrls(models, problems);
  const state = compileState(root['state'], problems, expandHome);

  const audit = compileAudit(
    parseSection(auditSchema, root['audit'], ['audit'], problems) ?? undefined,
    ctx.home,
    expandHome,
  );
  const metrics = compileMetrics(
    parseSection(metricsSchema, root['metrics'], ['metrics'], problems) ?? undefined,
  );

  const responses = parseSection(responsesSchema, root['responses'], ['responses'], problems);

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

function compileSupervisor(
  value: unknown,
  home: string,
  expandHome: (path: string) => string,
  problems: ProblemList,
): SupervisorConfig {
  const out = defaultSupervisor(home);
  const s = parseSection(supervisorSchema, value, ['supervisor'], problems);

  const endpoint = (
    key: 'control' | 'events',
    given: string | undefined,
    fallback: string,
  ): string => {
    if (given === undefined) {
      const tooLong = ipcPathProblem(fallback.slice('ipc://'.length));
      if (tooLong) {
        problems.add(
          ['supervisor', key],
          `the default endpoint ${fallback} does not work: ${tooLong}; set MLX_GATEWAY_HOME to a shorter directory or set supervisor.${key}`,
        );
      }
      return fallback;
    }
    const result = compileEndpoint(given, expandHome);
    if ('error' in result) {
      problems.add(['supervisor', key], result.error, { value: given });
      return fallback;
    }
    return result.endpoint;
  };
  out.controlEndpoint = endpoint('control', s?.control, out.controlEndpoint);
  out.eventsEndpoint = endpoint('events', s?.events, out.eventsEndpoint);
  if (out.controlEndpoint === out.eventsEndpoint) {
    problems.add(['supervisor', 'events'], 'must differ from supervisor.control', {
      value: s?.events,
    });
  }
  if (!s) return out;

  if (s.curve) {
    const { serverPublicKey, serverSecretKey, clientPublicKey, clientSecretKey } = s.curve;
    out.curve = { serverPublicKey, serverSecretKey, clientPublicKey, clientSecretKey };
    if (s.curve.serverPublicKey === s.curve.clientPublicKey) {
      problems.add(
        ['supervisor', 'curve', 'clientPublicKey'],
        'must differ from serverPublicKey: the server and its client each have their own key pair',
      );
    }
  }
  if (s.maxLoadedModels !== undefined) out.maxLoadedModels = s.maxLoadedModels;
  if (s.memoryBudget !== undefined) out.memoryBudgetBytes = s.memoryBudget;
  if (s.keepModelsOnExit !== undefined) out.keepModelsOnExit = s.keepModelsOnExit;
  if (s.stopGrace !== undefined) out.stopGraceMs = s.stopGrace;
  if (s.drainTimeout !== undefined) out.drainTimeoutMs = s.drainTimeout;
  if (s.capacityWait !== undefined) out.capacityWaitMs = s.capacityWait;
  if (s.leaseTtl !== undefined) out.leaseTtlMs = s.leaseTtl;
  if (s.healthInterval !== undefined) out.healthIntervalMs = s.healthInterval;

  const gateway = s.ports?.gateway;
  const operator = s.ports?.operator;
  if (gateway) out.gatewayPorts = gateway;
  if (operator) out.operatorPorts = operator;
  if (rangesOverlap(out.gatewayPorts, out.operatorPorts)) {
    const show = (range: PortRange, given: boolean): string =>
      `${formatPortRange(range)}${given ? '' : ', the default'}`;
    problems.add(
      ['supervisor', 'ports'],
      `the gateway range (${show(out.gatewayPorts, gateway !== undefined)}) and the operator range ` +
        `(${show(out.operatorPorts, operator !== undefined)}) overlap; they must be separate`,
    );
  }

  if (s.failureBackoff?.initial !== undefined)
    out.failureBackoff.initialMs = s.failureBackoff.initial;
  if (s.failureBackoff?.max !== undefined) out.failureBackoff.maxMs = s.failureBackoff.max;
  if (out.failureBackoff.initialMs > out.failureBackoff.maxMs) {
    problems.add(
      ['supervisor', 'failureBackoff'],
      `initial (${formatDuration(out.failureBackoff.initialMs)}) is longer than max (${formatDuration(out.failureBackoff.maxMs)})`,
    );
  }
  return out;
}

function checkListenPort(
  proxy: ProxyConfig,
  supervisor: SupervisorConfig,
  problems: ProblemList,
): void {
  for (const [key, range] of [
    ['gateway', supervisor.gatewayPorts],
    ['operator', supervisor.operatorPorts],
  ] as const) {
    if (proxy.port >= range.from && proxy.port <= range.to) {
      problems.add(
        ['listen'],
        `port ${proxy.port} is inside supervisor.ports.${key} (${formatPortRange(range)}), which model servers use`,
        { value: proxy.port },
      );
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
