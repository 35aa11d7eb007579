import type { ReloadReport, ReloadSetting } from '@mlx-gateway/protocol';
import { localModelFingerprint } from '@mlx-gateway/shared/config';
import type { GatewayConfig, ModelConfig } from '@mlx-gateway/shared/config';

/** What differs between the running config and a newly read one (no side effects). */
export interface ConfigDiff {
  models: ReloadReport['models'];
  applied: ReloadSetting[];
  needsRestart: ReloadSetting[];
  /** Whether anything differs at all. */
  changed: boolean;
}

type Section = 'proxy' | 'supervisor';

const RESTART_NOTE = {
  listen: 'the proxy listens on its address from its start',
  endpoint: 'the supervisor binds its sockets at its start',
  curve: 'CURVE keys are resolved when the sockets are bound',
  ports: 'the port allocator of running models is built at start',
  leaseTtl: 'leases in flight were given the old time to live',
  keepModelsOnExit: 'the lifeline is configured at start',
  headersTimeout: 'a property of the HTTP server, set at its start',
  controlTimeout: "the proxy's control client is built at its start",
  pool: 'upstream connection pools are built at start',
  opened: 'opened once when the proxy starts',
  unknown: 'not reloadable',
} as const;

/**
 * The compiled key → the key written in the file and whether a change needs a restart (a note)
 * or is applied in place (no note). Keys not listed here need a restart.
 */
const SETTINGS: Record<Section, Record<string, { path: string; note?: string }>> = {
  proxy: {
    host: { path: 'listen', note: RESTART_NOTE.listen },
    port: { path: 'listen', note: RESTART_NOTE.listen },
    bodyLimitBytes: { path: 'proxy.bodyLimit' },
    maxJsonDepth: { path: 'proxy.maxJsonDepth' },
    bodyTimeoutMs: { path: 'proxy.bodyTimeout' },
    heartbeatMs: { path: 'proxy.heartbeat' },
    headersTimeoutMs: { path: 'proxy.headersTimeout', note: RESTART_NOTE.headersTimeout },
    controlTimeoutMs: { path: 'proxy.controlTimeout', note: RESTART_NOTE.controlTimeout },
    pool: { path: 'proxy.pool', note: RESTART_NOTE.pool },
  },
  supervisor: {
    controlEndpoint: { path: 'supervisor.control', note: RESTART_NOTE.endpoint },
    eventsEndpoint: { path: 'supervisor.events', note: RESTART_NOTE.endpoint },
    curve: { path: 'supervisor.curve', note: RESTART_NOTE.curve },
    gatewayPorts: { path: 'supervisor.ports.gateway', note: RESTART_NOTE.ports },
    operatorPorts: { path: 'supervisor.ports.operator', note: RESTART_NOTE.ports },
    leaseTtlMs: { path: 'supervisor.leaseTtl', note: RESTART_NOTE.leaseTtl },
    keepModelsOnExit: { path: 'supervisor.keepModelsOnExit', note: RESTART_NOTE.keepModelsOnExit },
    maxLoadedModels: { path: 'supervisor.maxLoadedModels' },
    memoryBudgetBytes: { path: 'supervisor.memoryBudget' },
    capacityWaitMs: { path: 'supervisor.capacityWait' },
    stopGraceMs: { path: 'supervisor.stopGrace' },
    drainTimeoutMs: { path: 'supervisor.drainTimeout' },
    healthIntervalMs: { path: 'supervisor.healthInterval' },
    failureBackoff: { path: 'supervisor.failureBackoff' },
  },
};

/** Top-level sections: applied by the proxies' swap, or opened once at start. */
const SECTIONS: Record<string, string | undefined> = {
  providers: undefined,
  routing: undefined,
  state: RESTART_NOTE.opened,
  audit: RESTART_NOTE.opened,
  metrics: RESTART_NOTE.opened,
  responses: RESTART_NOTE.opened,
};
/** Not settings: where the config came from, and the models (compared on their own). */
const NOT_COMPARED = new Set(['file', 'home', 'proxy', 'supervisor', 'models']);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** `idleTimeoutMs` → `idleTimeout`, `memoryBudgetBytes` → `memoryBudget`: the key as written. */
function fileKey(key: string): string {
  return key.replace(/(Ms|Bytes)$/, '');
}

/** Adds a setting once (host and port are both `listen`). */
function addSetting(list: ReloadSetting[], setting: ReloadSetting): void {
  if (!list.some((s) => s.path === setting.path)) list.push(setting);
}

function diffSection(
  section: Section,
  before: object,
  after: object,
  out: Pick<ConfigDiff, 'applied' | 'needsRestart'>,
): void {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (same(a[key], b[key])) continue;
    const known = SETTINGS[section][key];
    const path = known?.path ?? `${section}.${fileKey(key)}`;
    const note = known === undefined ? RESTART_NOTE.unknown : known.note;
    if (note === undefined) addSetting(out.applied, { path });
    else addSetting(out.needsRestart, { path, note });
  }
}

function diffTopLevel(
  before: GatewayConfig,
  after: GatewayConfig,
  out: Pick<ConfigDiff, 'applied' | 'needsRestart'>,
): void {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (NOT_COMPARED.has(key) || same(a[key], b[key])) continue;
    const note = key in SECTIONS ? SECTIONS[key] : RESTART_NOTE.unknown;
    if (note === undefined) addSetting(out.applied, { path: key });
    else addSetting(out.needsRestart, { path: key, note });
  }
}

/** The keys of a model entry that differ, as written in the file (`models.qwen.idleTimeout`). */
function changedModelKeys(before: ModelConfig, after: ModelConfig): string[] {
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  const keys: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!same(a[key], b[key])) keys.push(`models.${after.name}.${fileKey(key)}`);
  }
  return keys;
}

function diffModels(
  before: readonly ModelConfig[],
  after: readonly ModelConfig[],
  applied: ReloadSetting[],
): ConfigDiff['models'] {
  const old = new Map(before.map((m) => [m.name, m]));
  const now = new Map(after.map((m) => [m.name, m]));
  const models: ConfigDiff['models'] = {
    added: [],
    removed: [],
    restarted: [],
    updated: [],
    unchanged: [],
  };
  for (const m of before) if (!now.has(m.name)) models.removed.push(m.name);
  for (const m of after) {
    const prev = old.get(m.name);
    if (prev === undefined) {
      models.added.push(m.name);
    } else if (prev.kind !== m.kind) {
      // A local model that became remote (or the reverse) is another model under the same name.
      models.removed.push(m.name);
      models.added.push(m.name);
    } else if (
      prev.kind === 'local' &&
      m.kind === 'local' &&
      localModelFingerprint(prev) !== localModelFingerprint(m)
    ) {
      models.restarted.push(m.name);
    } else if (!same(prev, m)) {
      models.updated.push(m.name);
      for (const path of changedModelKeys(prev, m)) addSetting(applied, { path });
    } else {
      models.unchanged.push(m.name);
    }
  }
  return models;
}

/**
 * Compares the config in force with one newly read: which models are added, removed,
 * restarted (a local model's launch settings changed: its fingerprint), updated in place or
 * unchanged; which settings are applied in place; which need a restart of the gateway.
 */
export function diffConfig(before: GatewayConfig, after: GatewayConfig): ConfigDiff {
  const out: Pick<ConfigDiff, 'applied' | 'needsRestart'> = { applied: [], needsRestart: [] };
  diffSection('proxy', before.proxy, after.proxy, out);
  diffSection('supervisor', before.supervisor, after.supervisor, out);
  diffTopLevel(before, after, out);
  const models = diffModels(before.models, after.models, out.applied);
  const changed =
    out.applied.length > 0 ||
    out.needsRestart.length > 0 ||
    models.added.length > 0 ||
    models.removed.length > 0 ||
    models.restarted.length > 0 ||
    models.updated.length > 0;
  return { models, ...out, changed };
}

/** `after`'s section with the values that need a restart taken from `before`. */
function sectionInForce<T extends object>(section: Section, before: T, after: T): T {
  const a = before as Record<string, unknown>;
  const out: Record<string, unknown> = { ...(after as Record<string, unknown>) };
  for (const key of new Set([...Object.keys(a), ...Object.keys(out)])) {
    const known = SETTINGS[section][key];
    if (known !== undefined && known.note === undefined) continue;
    if (key in a) out[key] = a[key];
    else delete out[key];
  }
  return out as T;
}

/**
 * The config in force after a reload: the new file, except the settings that are taken only at
 * start, which keep their running values (so that a later reload still names them, and what
 * the supervisor reports stays true).
 */
export function configInForce(before: GatewayConfig, after: GatewayConfig): GatewayConfig {
  const a = before as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...(after as unknown as Record<string, unknown>) };
  for (const key of new Set([...Object.keys(a), ...Object.keys(out)])) {
    if (NOT_COMPARED.has(key) || (key in SECTIONS && SECTIONS[key] === undefined)) continue;
    if (key in a) out[key] = a[key];
    else delete out[key];
  }
  out['home'] = before.home;
  out['proxy'] = sectionInForce('proxy', before.proxy, after.proxy);
  out['supervisor'] = sectionInForce('supervisor', before.supervisor, after.supervisor);
  return out as unknown as GatewayConfig;
}
