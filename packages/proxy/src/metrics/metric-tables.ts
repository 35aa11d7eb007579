/**
 * Counters and histograms for the request path, kept as plain numbers and rendered for
 * prom-client's Registry only when Prometheus scrapes. prom-client's own Counter and Histogram
 * validate and hash their labels on every update (about a microsecond each); these cost a map
 * lookup and an addition. Both have the shape the Registry asks of a metric: `name`, `help`,
 * `type`, `get()` and `reset()`.
 */

export interface MetricValue {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

export interface RegistryMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: MetricValue[];
    aggregator: string;
  }>;
  reset(): void;
}

const SEP = '\u0000';

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, i) => (labels[name] = values[i] ?? ''));
  return labels;
}

export interface CounterCell {
  values: string[];
  total: number;
}

export class CounterTable implements RegistryMetric {
  readonly type = 'counter';
  private readonly cells = new Map<string, CounterCell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** Adds `by` to the series of these label values (in labelNames' order). */
  add(by: number, ...values: string[]): void {
    this.cell(values).total += by;
  }

  /**
   * The series of these label values, made at its first use: a caller that keeps it adds to
   * `total` directly, with no key to build and look up.
   */
  cell(values: string[]): CounterCell {
    const key = values.join(SEP);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { values, total: 0 };
      this.cells.set(key, cell);
    }
    return cell;
  }

  get(): ReturnType<RegistryMetric['get']> {
    const values: MetricValue[] = [];
    for (const cell of this.cells.values()) {
      values.push({ labels: labelsOf(this.labelNames, cell.values), value: cell.total });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    });
  }

  /** How many times the table was reset: cells kept by a caller are stale after one. */
  resets = 0;

  reset(): void {
    this.cells.clear();
    this.resets++;
  }
}

export interface HistogramCell {
  values: string[];
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class HistogramTable implements RegistryMetric {
  readonly type = 'histogram';
  private readonly cells = new Map<string, HistogramCell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number, ...values: string[]): void {
    this.observeIn(this.cell(values), value);
  }

  /** The series of these label values, made at its first use (see CounterTable#cell). */
  cell(values: string[]): HistogramCell {
    const key = values.join(SEP);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = {
        values,
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** One observation in a series kept by the caller. */
  observeIn(cell: HistogramCell, value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    cell.counts[i] = (cell.counts[i] as number) + 1;
    cell.sum += value;
    cell.count++;
  }

  get(): ReturnType<RegistryMetric['get']> {
    const values: MetricValue[] = [];
    for (const cell of this.cells.values()) {
      const labels = labelsOf(this.labelNames, cell.values);
      let cumulative = 0;
      const counts = this.buckets.map((_, i) => (cumulative += cell.counts[i] as number));
      values.push(
        ...histogramValues(this.name, labels, {
          buckets: [...this.buckets],
          counts,
          sum: cell.sum,
          count: cell.count,
        }),
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    });
  }

  /** How many times the table was reset: cells kept by a caller are stale after one. */
  resets = 0;

  reset(): void {
    this.cells.clear();
    this.resets++;
  }
}

/** The `_bucket`, `_sum` and `_count` samples of a histogram with cumulative `counts`. */
export function histogramValues(
  name: string,
  labels: Record<string, string>,
  h: { buckets: number[]; counts: number[]; sum: number; count: number },
): MetricValue[] {
  const values: MetricValue[] = h.buckets.map((bound, i) => ({
    metricName: `${name}_bucket`,
    labels: { ...labels, le: String(bound) },
    value: h.counts[i] ?? 0,
  }));
  values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
  values.push({ metricName: `${name}_sum`, labels, value: h.sum });
  values.push({ metricName: `${name}_count`, labels, value: h.count });
  return values;
}
