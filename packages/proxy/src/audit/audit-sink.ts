import type { AuditRecord } from './audit-record.js';

/**
 * Where finished records go besides the metrics and live events: the files (AuditWriter) and,
 * with a Redis configured, the shared stream (AuditStreamSink). `write()` only queues: it is
 * O(1), never throws and never waits; a timer writes the queue, and `close()` writes the rest.
 */
export interface AuditSink {
  write(record: AuditRecord): void;
  close(): Promise<void>;
  readonly stats: AuditSinkStats;
}

/** A sink's figures, exported as `mlx_gateway_audit_*{sink}` (metrics/audit-sink-metrics.ts). */
export interface AuditSinkStats {
  /** Records stored. */
  written: number;
  /** Records lost: refused beyond the pending limit, or written after close. */
  dropped: number;
  /** Failed writes, and incidents (runs of failed writes, each reported once). */
  writeErrors: number;
  incidents: number;
  /** Records waiting to be written. */
  pending: number;
}

/** The Redis stream of records, under the state store's key prefix (`<keyPrefix>audit`). */
export const AUDIT_STREAM = 'audit';
