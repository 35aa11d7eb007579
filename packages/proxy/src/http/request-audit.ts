import { apiOfPath } from '../audit/audit-record.js';
import { AuditRecordBuilder } from '../audit/record-builder.js';
import type { RequestRecord } from '../logging/request-record.js';

/** What the pipeline calls when a proxied request ends: its builder, its record, the end time. */
export type RequestEnd = (audit: AuditRecordBuilder, record: RequestRecord, now: number) => void;

/** A new audit record builder for a request just opened (its id, API and arrival). */
export function requestAudit(
  record: RequestRecord,
  path: string,
  wallMs: number,
  api: string = apiOfPath(path),
): AuditRecordBuilder {
  return new AuditRecordBuilder(record.reqId, api, record.start, wallMs);
}

/**
 * Completes the builder of a request that ended, so that its record can be made later (by
 * `audit.end()`). What the request record already holds (client, model, stream, status, error,
 * bytes out, time to first byte, a client that left) is read from it here, once, rather than
 * tracked twice while the request runs; the builder holds the rest (attempts, model wait,
 * first token, usage, bytes in, why a response ended early).
 */
export function settleAudit(audit: AuditRecordBuilder, record: RequestRecord, now: number): void {
  audit.setClient(record.client);
  audit.setModel(record.model, record.stream === true);
  audit.setStatus(record.status ?? 0);
  if (record.error !== undefined) audit.fail(record.error);
  if (record.bytes !== undefined) audit.addBytesOut(record.bytes);
  if (record.ttfbMs !== undefined) audit.firstByte(record.start + record.ttfbMs);
  if (record.clientClosed === true) audit.setIncomplete('client_closed');
  audit.ended(now);
}
