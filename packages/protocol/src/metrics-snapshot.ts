/**
 * The supervisor's figures (the `metrics` control command's result) for the proxy's `/metrics`, as plain JSON: the supervisor builds
 * one on request and sends it over the control protocol, so that an operator scrapes one
 * target. Counters are totals since the supervisor started; histograms carry their buckets.
 */
export interface SupervisorMetricsSnapshot {
  v: 1;
  /** When it was taken, epoch milliseconds. */
  at: number;
  models: ModelFigures[];
  /** Starts by result (`ok`, `failed`, `timeout`, ...). */
  starts: Array<{ model: string; result: string; count: number }>;
  /** From spawn to ready, per model. */
  loadDuration: Array<{ model: string; histogram: HistogramSnapshot }>;
  /** Stops by reason (`idle`, `operator`, `shutdown`, ...). */
  stops: Array<{ model: string; reason: string; count: number }>;
  /** Stops made to free capacity, by reason (`memory`, `max_loaded`, ...). */
  evictions: Array<{ model: string; reason: string; count: number }>;
  /** Exits nobody asked for (a crash, an out-of-memory kill). */
  unexpectedExits: Array<{ model: string; count: number }>;
  /** How long ensure() callers waited for the model to be ready. */
  readyWait: Array<{ model: string; histogram: HistogramSnapshot }>;
  /** The turns of models with `maxConcurrent`: in line now, the oldest wait, waits seen. */
  queues?: QueueFigures[];
  /** The supervisor process itself. */
  process: { residentBytes: number; heapUsedBytes: number; eventLoopLagSeconds: number };
}

export interface QueueFigures {
  model: string;
  active: number;
  waiting: number;
  oldestWaitSeconds: number;
  refused: number;
  /** How long granted requests waited for their turn (0 for a free one). */
  wait: HistogramSnapshot;
}

export interface ModelFigures {
  model: string;
  state: 'stopped' | 'starting' | 'ready' | 'stopping' | 'failed';
  /** Resident memory of the model's whole process group, when it runs. */
  residentBytes?: number;
}

/**
 * A histogram as JSON: `counts[i]` is the number of observations ≤ `buckets[i]` (cumulative,
 * like Prometheus' `le`); `count` is the `+Inf` bucket.
 */
export interface HistogramSnapshot {
  buckets: number[];
  counts: number[];
  sum: number;
  count: number;
}

export const MODEL_STATES: ReadonlyArray<ModelFigures['state']> = [
  'stopped',
  'starting',
  'ready',
  'stopping',
  'failed',
];

/** Builds a HistogramSnapshot from observations (for the supervisor's side). */
export class HistogramRecorder {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
    }
  }

  snapshot(): HistogramSnapshot {
    return {
      buckets: [...this.buckets],
      counts: [...this.counts],
      sum: this.sum,
      count: this.count,
    };
  }
}
