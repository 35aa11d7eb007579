import type { AuditRecord } from './audit-record.js';
import { AuditFileSink, PartialWriteError } from './audit-file-sink.js';
import { recordJsonBound, writeRecordJson } from './record-json.js';

export interface AuditWriterOptions {
  dir: string;
  maxFileSizeBytes: number;
  retainDays: number;
  /**
   * How often buffered records are written: default half a second, so that a loaded machine's
   * late timers still keep the loss of a SIGKILL within a second; at most one second.
   */
  flushIntervalMs?: number;
  /** A batch this large is written at once, without waiting for the interval (default 1024). */
  flushAtRecords?: number;
  /** Most records held while the disk refuses them; the oldest go first (default 100 000). */
  maxPendingRecords?: number;
  /** Wall clock, epoch milliseconds (file days); default Date.now. */
  now?: () => number;
  /** A write failed, once per incident (until a write succeeds again). Never throws inward. */
  onProblem?: (error: Error) => void;
  /** Writes succeed again after an incident; `dropped` records were lost meanwhile. */
  onRecovered?: (dropped: number) => void;
}

export interface AuditWriterStats {
  /** Records on disk. */
  written: number;
  /** Records lost: refused by a full disk beyond the pending limit, or written after close. */
  dropped: number;
  /** Failed writes, and incidents (runs of failed writes). */
  writeErrors: number;
  incidents: number;
  pending: number;
}

const DEFAULT_INTERVAL_MS = 500;
const MAX_INTERVAL_MS = 1_000;
const NEWLINE = 0x0a;
/** Records are queued as bytes in slabs of this size (off the JavaScript heap). */
const SLAB_BYTES = 64 * 1024;
/** Written slabs kept for reuse (1 MB): what a second of records under load fills. */
const FREE_SLABS_KEPT = 16;
/** The largest gather buffer kept for reuse (a flush of ~8,000 records). */
const GATHER_KEPT_BYTES = 4 * 1024 * 1024;

/**
 * The audit log's writer. `write()` only queues the record (the request path never waits for a
 * disk); a timer writes the queue as JSON lines every half second, so a process killed
 * with SIGKILL loses at most the last second of records, and `close()` writes everything (a
 * graceful stop loses none). A failing disk never throws into the caller: the failure is
 * reported once per incident and counted; records wait (up to a limit) for the next try.
 *
 * A record is serialised when it is queued, straight into a slab of bytes outside the
 * JavaScript heap (record-json.ts: no string of it is made): the record object dies young. Queued as objects, half a
 * second of records (thousands under load) outlived every young-generation collection in
 * between, copied each time and then promoted: that cost the proxy more than the JSON did.
 *
 * The slabs, and the buffer a flush gathers them in, are reused once written. Allocated anew
 * (5 MB a second under load, each slab alive until its flush), they left the proxy in a regime
 * where ~30 times more of the young generation was promoted, scavenges cost more and the old
 * generation was marked again and again: ~20% of its CPU per request (docs/benchmarks.md,
 * "seventh look"; why fresh external buffers tip V8 into it is not established).
 */
export class AuditWriter {
  /** Queued lines, oldest first: regions of earlier slabs, or bytes a failed write left. */
  private parts: Buffer[] = [];
  /** The slab being filled; its queued lines are [slabStart, used). */
  private slab: Buffer | undefined;
  private slabStart = 0;
  private used = 0;
  /** Slabs filled and cut into `parts`, not written yet; then free for reuse. */
  private retired: Buffer[] = [];
  private readonly freeSlabs: Buffer[] = [];
  /** Where a flush gathers the queued regions (reused; grown when a flush needs more). */
  private gather: Buffer | undefined;
  /** Lines queued (in `parts` and the slab). */
  private pendingLines = 0;
  private readonly sink: AuditFileSink;
  private readonly timer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private closed = false;
  private inIncident = false;
  private droppedInIncident = 0;
  private readonly now: () => number;
  private readonly flushAt: number;
  private readonly maxPending: number;
  private written = 0;
  private dropped = 0;
  private writeErrors = 0;
  private incidents = 0;

  constructor(private readonly options: AuditWriterOptions) {
    this.sink = new AuditFileSink(options.dir, options.maxFileSizeBytes, options.retainDays);
    this.now = options.now ?? Date.now;
    this.flushAt = options.flushAtRecords ?? 1024;
    this.maxPending = options.maxPendingRecords ?? 100_000;
    const interval = Math.min(options.flushIntervalMs ?? DEFAULT_INTERVAL_MS, MAX_INTERVAL_MS);
    this.timer = setInterval(() => void this.flush(), interval);
    this.timer.unref();
  }

  get stats(): AuditWriterStats {
    return {
      written: this.written,
      dropped: this.dropped,
      writeErrors: this.writeErrors,
      incidents: this.incidents,
      pending: this.pendingLines,
    };
  }

  /** Queues one record as a JSON line; never throws, never waits. */
  write(record: AuditRecord): void {
    if (this.closed) {
      this.lost(1);
      return;
    }
    this.queueRecord(record);
    if (this.pendingLines > this.maxPending) this.dropOldest();
    if (this.pendingLines >= this.flushAt) void this.flush();
  }

  /** Writes what is queued; resolves when it is on disk (or the attempt failed and was counted). */
  flush(): Promise<void> {
    if (this.flushQueued) return this.chain;
    this.flushQueued = true;
    this.chain = this.chain.then(() => {
      this.flushQueued = false;
      return this.flushOnce();
    });
    return this.chain;
  }

  /** Resolves once the writes begun so far are done (for tests and shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops the timer, writes every queued record and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    await this.sink.close();
  }

  private queueRecord(record: AuditRecord): void {
    // One more byte for the newline.
    const most = recordJsonBound(record) + 1;
    let slab = this.slab;
    if (slab === undefined || slab.length - this.used < most) {
      this.cutSlab();
      if (slab !== undefined) this.retired.push(slab);
      slab =
        (most <= SLAB_BYTES ? this.freeSlabs.pop() : undefined) ??
        Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, most));
      this.slab = slab;
      this.slabStart = 0;
      this.used = 0;
    }
    this.used = writeRecordJson(slab, this.used, record);
    slab[this.used++] = NEWLINE;
    this.pendingLines++;
  }

  /** Moves the slab's queued lines to `parts` (the slab is never written below `used` again). */
  private cutSlab(): void {
    if (this.slab !== undefined && this.used > this.slabStart) {
      this.parts.push(this.slab.subarray(this.slabStart, this.used));
    }
    this.slabStart = this.used;
  }

  /**
   * Every queued line, taken off the queue, as one buffer: the one region there is, or the
   * regions gathered.
   */
  private takeQueued(): Buffer {
    this.cutSlab();
    const parts = this.parts;
    this.parts = [];
    this.pendingLines = 0;
    if (parts.length === 1) return parts[0] as Buffer;
    let total = 0;
    for (const part of parts) total += part.length;
    // A backlog (after a disk came back) is gathered once, not kept.
    if (total > GATHER_KEPT_BYTES) return Buffer.concat(parts, total);
    if (this.gather === undefined || this.gather.length < total) {
      this.gather = Buffer.allocUnsafeSlow(
        Math.min(GATHER_KEPT_BYTES, Math.max(total, 2 * (this.gather?.length ?? 0))),
      );
    }
    let at = 0;
    for (const part of parts) at += part.copy(this.gather, at);
    return this.gather.subarray(0, total);
  }

  /** The slabs written whole go back to the free list (up to FREE_SLABS_KEPT). */
  private recycle(slabs: Buffer[]): void {
    for (const slab of slabs) {
      if (slab.length === SLAB_BYTES && this.freeSlabs.length < FREE_SLABS_KEPT) {
        this.freeSlabs.push(slab);
      }
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.pendingLines === 0) return;
    const lines = this.pendingLines;
    const data = this.takeQueued();
    const written = this.retired;
    this.retired = [];
    try {
      await this.sink.append(data, this.now());
    } catch (err) {
      // What was not written is kept (a copy: the slabs and the gather buffer are reused).
      this.failed(err, Buffer.from(data));
      return;
    }
    this.recycle(written);
    this.written += lines;
    if (this.inIncident) {
      this.inIncident = false;
      this.options.onRecovered?.(this.droppedInIncident);
      this.droppedInIncident = 0;
    }
  }

  private failed(err: unknown, data: Buffer): void {
    this.writeErrors++;
    const written = err instanceof PartialWriteError ? err.written : 0;
    this.written += countLines(data.subarray(0, written));
    const rest = data.subarray(written);
    // Keep what was not written for the next try, before what came since, within the same
    // bound as the queue.
    const lines = countLines(rest);
    if (lines > this.maxPending) {
      this.lost(lines);
    } else if (lines > 0) {
      this.parts.unshift(rest);
      this.pendingLines += lines;
      while (this.pendingLines > this.maxPending) this.dropOldest();
    }
    if (this.inIncident) return;
    this.inIncident = true;
    this.incidents++;
    const cause = err instanceof PartialWriteError ? err.cause : err;
    this.options.onProblem?.(cause instanceof Error ? cause : new Error(String(cause)));
  }

  /** Drops the oldest queued line. */
  private dropOldest(): void {
    const first = this.parts[0];
    if (first !== undefined) {
      const end = first.indexOf(NEWLINE);
      if (end === -1 || end + 1 === first.length) this.parts.shift();
      else this.parts[0] = first.subarray(end + 1);
    } else if (this.slab !== undefined && this.used > this.slabStart) {
      this.slabStart = this.slab.indexOf(NEWLINE, this.slabStart) + 1;
    } else {
      return;
    }
    this.pendingLines--;
    this.lost(1);
  }

  private lost(count: number): void {
    this.dropped += count;
    this.droppedInIncident += count;
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, i + 1)) n++;
  return n;
}
