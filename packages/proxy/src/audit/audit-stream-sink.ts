import type { StateStore } from '@mlx-gateway/shared/state';
import type { AuditRecord } from './audit-record.js';
import { AUDIT_STREAM } from './audit-sink.js';
import type { AuditSink, AuditSinkStats } from './audit-sink.js';

export interface AuditStreamSinkOptions {
  /** The state store (a real Redis), opened on first use by whoever owns it. */
  state: () => Promise<StateStore>;
  /** The stream is trimmed to about this many records (XADD MAXLEN ~). */
  maxLength: number;
  /** How often queued records are sent: default half a second, at most one second. */
  flushIntervalMs?: number;
  /** Records sent per group of pipelined commands (default 256). */
  batchSize?: number;
  /** Most records held while Redis is unreachable; the oldest go first (default 10 000). */
  maxPendingRecords?: number;
  /** How long a store that is not connected may stay so before it is an incident (default 2 s). */
  downGraceMs?: number;
  /** Monotonic-enough milliseconds for the grace (default Date.now). */
  now?: () => number;
  /** Records cannot reach Redis, once per incident (until a send succeeds again). */
  onProblem?: (error: Error) => void;
  /** Records reach Redis again after an incident; `dropped` records were lost meanwhile. */
  onRecovered?: (dropped: number) => void;
}

const DEFAULT_INTERVAL_MS = 500;
const MAX_INTERVAL_MS = 1_000;

/**
 * The shared activity stream's sink: every record also goes to a Redis stream trimmed to about
 * `maxLength` entries, so that several proxies feed one stream (`mlx-gateway activity` reads
 * it). Like the file writer, `write()` only queues and a timer sends; a Redis that is
 * unreachable never touches a request: the incident is reported once, counted, and the records
 * wait (up to a limit) to be sent once it is back. While it is down a single record probes it
 * at each tick, so a dead Redis costs one failed command per tick, not one per record.
 */
export class AuditStreamSink implements AuditSink {
  private pending: AuditRecord[] = [];
  private readonly timer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private closed = false;
  private inIncident = false;
  private downSince: number | undefined;
  private droppedInIncident = 0;
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly downGraceMs: number;
  private readonly now: () => number;
  private written = 0;
  private dropped = 0;
  private writeErrors = 0;
  private incidents = 0;

  constructor(private readonly options: AuditStreamSinkOptions) {
    this.batchSize = options.batchSize ?? 256;
    this.maxPending = options.maxPendingRecords ?? 10_000;
    this.downGraceMs = options.downGraceMs ?? 2_000;
    this.now = options.now ?? Date.now;
    const interval = Math.min(options.flushIntervalMs ?? DEFAULT_INTERVAL_MS, MAX_INTERVAL_MS);
    this.timer = setInterval(() => void this.flush(), interval);
    this.timer.unref();
  }

  get stats(): AuditSinkStats {
    return {
      written: this.written,
      dropped: this.dropped,
      writeErrors: this.writeErrors,
      incidents: this.incidents,
      pending: this.pending.length,
    };
  }

  /** Queues one record; O(1), never throws, never waits. */
  write(record: AuditRecord): void {
    if (this.closed) {
      this.lost(1);
      return;
    }
    // Captured bodies stay in the local files (0600): the shared Redis is wider infrastructure.
    this.pending.push(record.capture === undefined ? record : withoutCapture(record));
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.lost(1);
    }
  }

  /** Sends what is queued; resolves when it is sent (or the attempt failed and was counted). */
  flush(): Promise<void> {
    if (this.flushQueued) return this.chain;
    this.flushQueued = true;
    this.chain = this.chain.then(() => {
      this.flushQueued = false;
      return this.flushOnce();
    });
    return this.chain;
  }

  /** Stops the timer and sends every queued record; what Redis does not take then is lost. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    if (this.pending.length > 0) {
      this.lost(this.pending.length);
      this.pending = [];
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.length === 0) return;
    let store: StateStore;
    try {
      store = await this.options.state();
    } catch (err) {
      this.failed(err);
      return;
    }
    if (store.health() === 'down') {
      // Not connected (yet, or any more): nothing is sent. A store that stays so past the
      // grace (or at close) is an incident; one that is just connecting is not.
      this.downSince ??= this.now();
      if (this.closed || this.now() - this.downSince >= this.downGraceMs) {
        this.failed(new Error(`the ${store.kind} state store is not connected`));
      }
      return;
    }
    this.downSince = undefined;
    while (this.pending.length > 0) {
      // While in an incident, one record probes Redis before the rest are sent.
      const batch = this.pending.splice(0, this.inIncident ? 1 : this.batchSize);
      const results = await Promise.allSettled(
        batch.map((record) => store.append(AUDIT_STREAM, record, this.options.maxLength)),
      );
      const refused: AuditRecord[] = [];
      let error: unknown;
      for (let i = 0; i < results.length; i++) {
        const result = results[i]!;
        if (result.status === 'fulfilled') this.written++;
        else {
          refused.push(batch[i]!);
          error ??= result.reason;
        }
      }
      if (refused.length > 0) {
        this.requeue(refused);
        this.failed(error);
        return;
      }
      this.recovered();
    }
  }

  /** Records Redis refused go back to the front of the queue, within its bound. */
  private requeue(records: AuditRecord[]): void {
    this.pending = records.concat(this.pending);
    const over = this.pending.length - this.maxPending;
    if (over > 0) {
      this.pending.splice(0, over);
      this.lost(over);
    }
  }

  private failed(err: unknown): void {
    this.writeErrors++;
    if (this.inIncident) return;
    this.inIncident = true;
    this.incidents++;
    this.options.onProblem?.(err instanceof Error ? err : new Error(String(err)));
  }

  private recovered(): void {
    if (!this.inIncident) return;
    this.inIncident = false;
    this.options.onRecovered?.(this.droppedInIncident);
    this.droppedInIncident = 0;
  }

  private lost(count: number): void {
    this.dropped += count;
    this.droppedInIncident += count;
  }
}

function withoutCapture(record: AuditRecord): AuditRecord {
  const copy = { ...record };
  delete copy.capture;
  return copy;
}
