import type { AuditConfig } from '@mlx-gateway/shared/config';
import type { EventHub } from '../events/event-hub.js';
import type { LogFn } from '../logging/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { AuditWriter } from '../audit/audit-writer.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { AuditStreamSink } from '../audit/audit-stream-sink.js';
import type { StateStore } from '@mlx-gateway/shared/state';
import { settleAudit } from './request-audit.js';
import { ReusedRecord } from '../audit/record-builder.js';
import type { AuditRecordBuilder } from '../audit/record-builder.js';
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
 * What becomes of a finished request's record: it is queued for the audit log (and the shared
 * stream), counted in the metrics and, when somebody follows the live events, published. None
 * of it waits or throws.
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

/**
 * Whether the handler of these targets keeps records beyond its call: the shared stream queues
 * them, the live events hand them to their followers. The file writer serialises a record at
 * once and the metrics count it, so for them a record reused from one request to the next does.
 */
export function requestEndKeepsRecords(targets: RequestEndTargets): () => boolean {
  const { stream, events } = targets;
  if (stream !== undefined) return () => true;
  if (events === undefined) return () => false;
  return () => events.subscribers > 0;
}

/** How long the first of a batch of finished requests waits for its record to be made. */
export const REQUEST_END_BATCH_MS = 50;
/** A batch this large is handled at once. */
export const REQUEST_END_BATCH_SIZE = 64;

/**
 * The pipeline's request end (`end`, the one call the request path makes): the builder is
 * completed from the request record, and put in a queue; when REQUEST_END_BATCH_SIZE have
 * ended, or REQUEST_END_BATCH_MS after the first, the queued builders make their records, which
 * are handled together (a batch small enough that its builders mostly die young). Made one by
 * one among the proxy's other work, a record, its JSON line and its metric updates took 3–4 µs
 * per request in place; in a batch the same code runs hot, and the request path only pushes
 * to an array (docs/benchmarks.md, "sixth look").
 *
 * `drain()` handles the queue at once: before a scrape (the metrics are exact when read), and
 * before the audit sinks close (a graceful stop loses nothing). A record reaches the writer at
 * most REQUEST_END_BATCH_MS after its request ended, well within the writer's bound of a
 * second on what a SIGKILL may lose.
 */
export class RequestEnds {
  private queue: AuditRecordBuilder[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly reused = new ReusedRecord();

  /**
   * @param keepsRecords whether `handle` keeps a record beyond its call (default: it may); when
   *   it does not, every record of a batch is made into one reused record
   */
  constructor(
    private readonly handle: (record: AuditRecord) => void,
    private readonly batchMs: number = REQUEST_END_BATCH_MS,
    private readonly keepsRecords: () => boolean = () => true,
  ) {}

  readonly end: RequestEnd = (audit, record, now) => {
    settleAudit(audit, record, now);
    if (this.queue.push(audit) >= REQUEST_END_BATCH_SIZE) {
      this.drain();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.drain, this.batchMs);
      this.timer.unref();
    }
  };

  /** Requests that ended and wait for their records to be made. */
  get queued(): number {
    return this.queue.length;
  }

  /** Makes and handles the record of every queued request now. */
  readonly drain = (): void => {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    if (this.keepsRecords()) {
      for (let i = 0; i < queue.length; i++) this.handle((queue[i] as AuditRecordBuilder).end());
      return;
    }
    const reused = this.reused;
    for (let i = 0; i < queue.length; i++) {
      this.handle((queue[i] as AuditRecordBuilder).endInto(reused));
    }
  };
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
