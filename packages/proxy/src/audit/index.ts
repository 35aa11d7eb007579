export type {
  AttemptOutcome,
  AuditAttempt,
  AuditCapture,
  AuditRecord,
  AuditUsage,
  IncompleteReason,
} from './audit-record.js';
export { AUDIT_APIS, apiOfPath, statusClass } from './audit-record.js';
export { AuditRecordBuilder, incompleteReasonOfTimeout } from './record-builder.js';
export type { TimeoutPhaseName, UsageReport } from './record-builder.js';
export { BodyCapture, CapturePolicy } from './body-capture.js';
export {
  usageFromAnthropic,
  usageFromJsonBody,
  usageFromOpenAI,
  usageFromSseEvents,
  usageFromStreamEvent,
} from './usage-extractor.js';
export type { UsageFormat } from './usage-extractor.js';
export { hasFirstToken } from './first-token.js';
export { askForStreamUsage, filterUsageChunk } from './stream-usage.js';
export type { FilteredEvents, StreamUsageRequest } from './stream-usage.js';
export { AuditWriter } from './audit-writer.js';
export type { AuditWriterOptions, AuditWriterStats } from './audit-writer.js';
export { auditFileName, listAuditFiles } from './audit-files.js';
export type { AuditFile } from './audit-files.js';
export {
  matchesQuery,
  parseAuditLine,
  readLastRecords,
  statusFilterProblem,
} from './audit-query.js';
export type { AuditQuery } from './audit-query.js';
export { AuditTail } from './audit-tail.js';
export { AUDIT_STREAM } from './audit-sink.js';
export type { AuditSink, AuditSinkStats } from './audit-sink.js';
export { AuditStreamSink } from './audit-stream-sink.js';
export type { AuditStreamSinkOptions } from './audit-stream-sink.js';
export { followStream, readLastStreamRecords } from './audit-stream-reader.js';
export type { FollowOptions, StreamRead, StreamReadClient } from './audit-stream-reader.js';
