import type { AuditConfig } from '@mlx-gateway/shared/config';
import type { EventHub } from '../events/event-hub.js';
import type { LogFn } from '../logging/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { AuditWriter } from '../audit/audit-writer.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { AuditStreamSink } from '../audit/audit-stream-sink.js';
import type { StateStore } from '@mlx-gateway/shared/state';
import { completeAudit } from './request-audit.js';
import type { RequestEnd } from './request-audit.js';

/** Where a finished request's record goes; each part is absent when switched off. */
export interface RequestEndTargets {
  writer?: AuditWriter;
  /** The shared Redis stream of records (only with `state.redis`). */
  stream?: AuditSink;
  metrics?: GatewayMetrics;
  events?: EventHub;
}

/**
 * The one call the request path makes when a request ends: the record is queued for the audit
 * log, counted in the metrics and, when somebody follows the live events, published. None of
 * it waits or throws.
 */
export function requestEndHandler(targets: RequestEndTargets): (record: AuditRecord) => void {
  const { writer, stream, metrics, events } = targets;
  return (record) => {
    writer?.write(record);
    stream?.write(record);
    metrics?.recordRequest(record);
    if (events !== undefined && events.subscribers > 0) {
      events.publish({ type: 'request.ended', record });
    }
  };
}

/** The pipeline's request end (request-audit.ts): the record completed, then handled. */
export function pipelineRequestEnd(handle: (record: AuditRecord) => void): RequestEnd {
  return (audit, record, now) => handle(completeAudit(audit, record, now));
}

/**
 * The audit writer of a compiled `audit:` section (undefined when it is off), reporting a
 * failing disk once per incident and its recovery through the given log functions.
 */
export function openAuditWriter(
  config: AuditConfig,
  log: { warn: LogFn; info: LogFn },
): AuditWriter | undefined {
  if (!config.enabled) return undefined;
  return new AuditWriter({
    dir: config.dir,
    maxFileSizeBytes: config.maxFileSizeBytes,
    retainDays: config.retainDays,
    onProblem: (err) =>
      log.warn(
        { err, dir: config.dir },
        'audit log: records cannot be written; they wait in memory (requests are not affected)',
      ),
    onRecovered: (dropped) =>
      log.info({ dir: config.dir, dropped }, 'audit log: records are written again'),
  });
}

/**
 * The sink of the shared activity stream (undefined unless the audit log is on, `state.redis`
 * is configured and `audit.stream.enabled` is not false): every record also goes to a trimmed
 * Redis stream. An unreachable Redis is reported once per incident and when it is back.
 */
export function openAuditStream(
  config: AuditConfig,
  redisConfigured: boolean,
  state: () => Promise<StateStore>,
  log: { warn: LogFn; info: LogFn },
): AuditStreamSink | undefined {
  if (!config.enabled || !redisConfigured || config.stream?.enabled === false) return undefined;
  return new AuditStreamSink({
    state,
    maxLength: config.stream?.maxLength ?? 100_000,
    onProblem: (err) =>
      log.warn(
        { err, component: 'audit' },
        'audit stream: records cannot be sent to Redis; they wait in memory (requests are not affected)',
      ),
    onRecovered: (dropped) =>
      log.info({ component: 'audit', dropped }, 'audit stream: records reach Redis again'),
  });
}
