import type { AuditConfig } from '@mlx-gateway/shared/config';
import type { EventHub } from '../events/event-hub.js';
import type { LogFn } from '../logging/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { AuditWriter } from '../audit/audit-writer.js';
import { completeAudit } from './request-audit.js';
import type { RequestEnd } from './request-audit.js';

/** Where a finished request's record goes; each part is absent when switched off. */
export interface RequestEndTargets {
  writer?: AuditWriter;
  metrics?: GatewayMetrics;
  events?: EventHub;
}

/**
 * The one call the request path makes when a request ends: the record is queued for the audit
 * log, counted in the metrics and, when somebody follows the live events, published. None of
 * it waits or throws.
 */
export function requestEndHandler(targets: RequestEndTargets): (record: AuditRecord) => void {
  const { writer, metrics, events } = targets;
  return (record) => {
    writer?.write(record);
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
