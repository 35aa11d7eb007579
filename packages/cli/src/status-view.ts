import type { ModelInfo, Snapshot } from '@mlx-gateway/protocol';
import { formatMemory } from '@mlx-gateway/shared/units';
import { ago, table } from './format.js';

/**
 * Fields a newer supervisor may publish on a model (its memory policy); read when present, so
 * that this CLI works with supervisors that have them and those that do not.
 */
interface PolicyFields {
  footprintBytes?: number;
  footprintSource?: string;
  pinned?: boolean;
  priority?: number;
}

type ShownModel = ModelInfo & PolicyFields;

/** One model as `status --json` prints it: every key always present, null when not known. */
export interface StatusJsonModel {
  name: string;
  state: ModelInfo['state'];
  owner: string | null;
  pid: number | null;
  port: number | null;
  memoryBytes: number | null;
  footprintBytes: number | null;
  footprintSource: string | null;
  pinned: boolean | null;
  priority: number | null;
  inFlight: number;
  startedAt: number | null;
  readyAt: number | null;
  uptimeMs: number | null;
  idleStopAt: number | null;
  idleStopInMs: number | null;
  lastUsed: number | null;
  since: number;
  retryAt: number | null;
  reason: string | null;
  /** The model's line when it has `maxConcurrent` (shared by every proxy), else null. */
  queue: NonNullable<ModelInfo['queue']> | null;
}

/** The documented shape of `mlx-gateway status --json` (docs/operations.md); `version` bumps on a change. */
export interface StatusJson {
  version: 1;
  /** Epoch ms the snapshot was taken by this command. */
  at: number;
  supervisor: { incarnation: string };
  models: StatusJsonModel[];
}

const hasProcess = (m: ModelInfo): boolean => m.state !== 'stopped' && m.state !== 'failed';

/** How long a ready (or draining) model has been serving, ms. */
function uptimeMs(m: ModelInfo, now: number): number | undefined {
  if (m.readyAt === undefined || (m.state !== 'ready' && m.state !== 'stopping')) return undefined;
  return Math.max(0, now - m.readyAt);
}

export function statusJson(snapshot: Snapshot, now: number): StatusJson {
  return {
    version: 1,
    at: now,
    supervisor: { incarnation: snapshot.incarnation },
    models: snapshot.models.map((model) => {
      const m = model as ShownModel;
      const running = hasProcess(m);
      const uptime = uptimeMs(m, now);
      return {
        name: m.name,
        state: m.state,
        owner: m.owner ?? null,
        pid: running ? (m.pid ?? null) : null,
        port: running ? (m.port ?? null) : null,
        memoryBytes: running ? (m.memoryBytes ?? null) : null,
        footprintBytes: m.footprintBytes ?? null,
        footprintSource: m.footprintSource ?? null,
        pinned: m.pinned ?? null,
        priority: m.priority ?? null,
        inFlight: m.leases,
        startedAt: m.startedAt ?? null,
        readyAt: m.readyAt ?? null,
        uptimeMs: uptime ?? null,
        idleStopAt: m.idleStopAt ?? null,
        idleStopInMs: m.idleStopAt !== undefined ? Math.max(0, m.idleStopAt - now) : null,
        lastUsed: m.lastUsed ?? null,
        since: m.since,
        retryAt: m.retryAt ?? null,
        reason: m.reason ?? null,
        queue: m.queue ?? null,
      };
    }),
  };
}

/** What the IDLE-STOP column says: when an idle stop comes, or why none will. */
function idleStop(m: ShownModel, now: number): string {
  if (m.state !== 'ready') return '-';
  if (m.idleStopAt !== undefined) return `in ${ago(now, m.idleStopAt)}`;
  if (m.leases > 0) return 'busy';
  if (m.owner === 'operator' || m.pinned === true) return 'never';
  return '-';
}

function policy(m: ShownModel): string {
  const parts: string[] = [];
  if (m.pinned === true) parts.push('pinned');
  if (m.priority !== undefined) parts.push(`priority ${m.priority}`);
  return parts.join(', ') || '-';
}

/**
 * The `status` table: MODEL STATE OWNER PID PORT MEMORY UPTIME IDLE-STOP IN-FLIGHT SINCE REASON,
 * with FOOTPRINT and POLICY when the supervisor publishes them.
 */
export function statusTable(models: ModelInfo[], now: number): string {
  const shown = models as ShownModel[];
  const withFootprint = shown.some((m) => m.footprintBytes !== undefined);
  const withPolicy = shown.some((m) => m.pinned !== undefined || m.priority !== undefined);
  const header = ['MODEL', 'STATE', 'OWNER', 'PID', 'PORT', 'MEMORY'];
  if (withFootprint) header.push('FOOTPRINT');
  if (withPolicy) header.push('POLICY');
  header.push('UPTIME', 'IDLE-STOP', 'IN-FLIGHT', 'SINCE', 'REASON');
  const rows = shown.map((m) => {
    const running = hasProcess(m);
    const uptime = uptimeMs(m, now);
    const row = [
      m.name,
      m.state,
      m.owner ?? '-',
      running && m.pid !== undefined ? String(m.pid) : '-',
      running && m.port !== undefined ? String(m.port) : '-',
      running && m.memoryBytes !== undefined ? formatMemory(m.memoryBytes) : '-',
    ];
    if (withFootprint) {
      row.push(
        m.footprintBytes === undefined
          ? '-'
          : `${formatMemory(m.footprintBytes)}${m.footprintSource ? ` (${m.footprintSource})` : ''}`,
      );
    }
    if (withPolicy) row.push(policy(m));
    row.push(
      uptime === undefined ? '-' : ago(now - uptime, now),
      idleStop(m, now),
      String(m.leases),
      ago(m.since, now),
      (m.reason ?? '').split('\n')[0] ?? '',
    );
    return row;
  });
  return table(header, rows);
}
