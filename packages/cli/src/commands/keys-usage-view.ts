import { describeLimits, describeUsage } from '@mlx-gateway/shared/clients';
import type { ClientKeyInfo, ClientLimits, LimitUsage } from '@mlx-gateway/shared/clients';
import { table } from '../format.js';
import { scopeId } from './limit-usage-reading.js';
import type { UsageReading, UsageSource } from './limit-usage-reading.js';

/** A model with `limits:` in the config. */
export interface LimitedModel {
  name: string;
  limits: ClientLimits;
}

/** `keys list-clients --json`: the stable shape documented in docs/operations.md. */
export interface ClientsJson {
  clients: Array<{
    name: string;
    prefix: string;
    models: string[] | null;
    createdAt: string;
    limits: ClientLimits | null;
    usage: LimitUsage | null;
  }>;
  models: Array<{ name: string; limits: ClientLimits; usage: LimitUsage | null }>;
  usage: { source: UsageSource | null; from: string | null; at: string | null; note?: string };
}

export function clientsJson(
  clients: readonly ClientKeyInfo[],
  models: readonly LimitedModel[],
  reading: UsageReading,
): ClientsJson {
  const usageOf = (id: string) => reading.usage.get(id) ?? null;
  return {
    clients: clients.map((c) => ({
      name: c.name,
      prefix: c.prefix,
      models: c.models ?? null,
      createdAt: c.createdAt,
      limits: c.limits ?? null,
      usage: c.limits === undefined ? null : usageOf(scopeId('client', c.name)),
    })),
    models: models.map((m) => ({
      name: m.name,
      limits: m.limits,
      usage: usageOf(scopeId('model', m.name)),
    })),
    usage: {
      source: reading.source ?? null,
      from: reading.from ?? null,
      at: reading.at === undefined ? null : new Date(reading.at).toISOString(),
      ...(reading.note === undefined ? {} : { note: reading.note }),
    },
  };
}

/** The USAGE cell: usage against each limit, `?` when it was not read. */
function usageCell(reading: UsageReading, id: string): string {
  const usage = reading.usage.get(id);
  return usage === undefined ? '?' : describeUsage(usage);
}

/** The client keys' table; LIMITS and USAGE only when some key has limits. */
export function clientsTable(clients: readonly ClientKeyInfo[], reading: UsageReading): string {
  const limited = clients.some((c) => c.limits !== undefined);
  const rows = clients.map((c) => [
    c.name,
    `${c.prefix}…`,
    c.models?.join(', ') ?? '(all)',
    ...(limited
      ? [
          describeLimits(c.limits),
          c.limits === undefined ? '' : usageCell(reading, scopeId('client', c.name)),
        ]
      : []),
    c.createdAt,
  ]);
  const head = ['NAME', 'PREFIX', 'MODELS', ...(limited ? ['LIMITS', 'USAGE'] : []), 'CREATED'];
  return table(head, rows);
}

/** The models with limits (`limits:` in the config), each with its usage against them. */
export function modelsTable(models: readonly LimitedModel[], reading: UsageReading): string {
  return table(
    ['MODEL', 'LIMITS', 'USAGE'],
    models.map((m) => [
      m.name,
      describeLimits(m.limits),
      usageCell(reading, scopeId('model', m.name)),
    ]),
  );
}

/** Where the usage shown was read, for a line under the tables. */
export function sourceLine(reading: UsageReading): string | undefined {
  if (reading.source === undefined || reading.from === undefined) return undefined;
  const where =
    reading.source === 'redis' ? `Redis at ${reading.from}` : `the proxy at ${reading.from}`;
  const at = reading.at === undefined ? '' : ` at ${new Date(reading.at).toISOString()}`;
  return `usage read from ${where}${at} (this minute, in flight now, this day or month, UTC)`;
}
