import type { AuditRecord } from '../audit/audit-record.js';

const MINUTE_MS = 60_000;

/** One model's figures in one minute. */
export interface MinuteBucket {
  requests: number;
  /** Sum and count of time to first token, ms (streams that produced a token). */
  ttftSum: number;
  ttftCount: number;
  /** Output tokens and the generation seconds they took (first token to end). */
  outputTokens: number;
  generationSeconds: number;
}

/** A point of a chart: the minute's start (epoch ms) and its value (undefined: no data). */
export interface ChartPoint {
  at: number;
  value: number | undefined;
}

export type ChartMetric = 'rps' | 'ttft' | 'tps';

/**
 * Requests per second, time to first token and tokens per second per model, per minute over
 * a window (the last hour by default), from the gateway's own audit records. Fed by each
 * request's end (and, when the dashboard first opens, by the audit files of the last hour);
 * minutes older than the window are dropped as new ones come, so memory stays bounded by
 * models × minutes.
 */
export class ChartSeries {
  private readonly buckets = new Map<string, Map<number, MinuteBucket>>();
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];

  constructor(
    private readonly windowMinutes = 60,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request that ended (ignored when older than the window or already counted). */
  add(record: AuditRecord): void {
    const time = Date.parse(record.time);
    if (!Number.isFinite(time)) return;
    const minute = Math.floor(time / MINUTE_MS) * MINUTE_MS;
    if (minute < this.firstMinute()) return;
    if (!this.remember(record.requestId)) return;
    const model = record.resolvedModel ?? record.model ?? 'none';
    let perModel = this.buckets.get(model);
    if (perModel === undefined) {
      perModel = new Map();
      this.buckets.set(model, perModel);
    }
    let bucket = perModel.get(minute);
    if (bucket === undefined) {
      bucket = { requests: 0, ttftSum: 0, ttftCount: 0, outputTokens: 0, generationSeconds: 0 };
      perModel.set(minute, bucket);
    }
    bucket.requests += 1;
    if (record.ttftMs !== undefined) {
      bucket.ttftSum += record.ttftMs;
      bucket.ttftCount += 1;
    }
    const output = record.usage?.output;
    if (output !== undefined && output > 0) {
      const generationMs = record.durationMs - (record.ttftMs ?? record.ttfbMs ?? 0);
      if (generationMs > 0) {
        bucket.outputTokens += output;
        bucket.generationSeconds += generationMs / 1000;
      }
    }
    this.prune();
  }

  models(): string[] {
    this.prune();
    return [...this.buckets.keys()].sort();
  }

  /** One value per minute of the window, oldest first (the current minute last). */
  points(model: string, metric: ChartMetric): ChartPoint[] {
    const perModel = this.buckets.get(model);
    const first = this.firstMinute();
    const points: ChartPoint[] = [];
    for (let i = 0; i < this.windowMinutes; i++) {
      const at = first + i * MINUTE_MS;
      const bucket = perModel?.get(at);
      points.push({ at, value: bucket === undefined ? undefined : valueOf(bucket, metric) });
    }
    return points;
  }

  private firstMinute(): number {
    const current = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    return current - (this.windowMinutes - 1) * MINUTE_MS;
  }

  /** False when this request was counted already (a record seen both live and in a file). */
  private remember(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > 50_000) {
      for (const old of this.seenOrder.splice(0, 10_000)) this.seen.delete(old);
    }
    return true;
  }

  private prune(): void {
    const first = this.firstMinute();
    for (const [model, perModel] of this.buckets) {
      for (const minute of perModel.keys()) if (minute < first) perModel.delete(minute);
      if (perModel.size === 0) this.buckets.delete(model);
    }
  }
}

function valueOf(bucket: MinuteBucket, metric: ChartMetric): number | undefined {
  switch (metric) {
    case 'rps':
      return bucket.requests / 60;
    case 'ttft':
      return bucket.ttftCount === 0 ? undefined : bucket.ttftSum / bucket.ttftCount;
    case 'tps':
      return bucket.generationSeconds === 0
        ? undefined
        : bucket.outputTokens / bucket.generationSeconds;
  }
}
