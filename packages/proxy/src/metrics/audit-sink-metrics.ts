import type { Registry } from 'prom-client';
import type { AuditSinkStats } from '../audit/audit-sink.js';
import type { MetricValue, RegistryMetric } from './metric-tables.js';

/** The audit sinks by label: `file` (the JSONL files), `redis` (the shared activity stream). */
export type AuditSinkStatsByName = Readonly<Record<string, { readonly stats: AuditSinkStats }>>;

const SERIES: Array<{
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  field: keyof AuditSinkStats;
}> = [
  {
    name: 'mlx_gateway_audit_records_written_total',
    help: 'Audit records stored, by sink (file, redis).',
    type: 'counter',
    field: 'written',
  },
  {
    name: 'mlx_gateway_audit_dropped_total',
    help: 'Audit records lost, by sink: refused beyond the pending limit, or left at shutdown.',
    type: 'counter',
    field: 'dropped',
  },
  {
    name: 'mlx_gateway_audit_write_errors_total',
    help: 'Failed audit writes, by sink (a full disk, an unreachable Redis).',
    type: 'counter',
    field: 'writeErrors',
  },
  {
    name: 'mlx_gateway_audit_incidents_total',
    help: 'Runs of failed audit writes, by sink; each is logged once, with its recovery.',
    type: 'counter',
    field: 'incidents',
  },
  {
    name: 'mlx_gateway_audit_pending_records',
    help: 'Audit records waiting to be written, by sink.',
    type: 'gauge',
    field: 'pending',
  },
];

/**
 * The audit sinks' figures as Prometheus series with a `sink` label, read from each sink's
 * stats at scrape time (nothing is counted twice, and the request path pays nothing).
 */
export function registerAuditSinkMetrics(registry: Registry, sinks: AuditSinkStatsByName): void {
  for (const series of SERIES) {
    const metric: RegistryMetric = {
      name: series.name,
      help: series.help,
      type: series.type,
      get: () => {
        const values: MetricValue[] = Object.entries(sinks).map(([sink, { stats }]) => ({
          labels: { sink },
          value: stats[series.field],
        }));
        const { name, help, type } = series;
        return Promise.resolve({ name, help, type, values, aggregator: 'sum' });
      },
      reset: () => {},
    };
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
