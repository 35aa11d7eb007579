import type { Gauge, Registry } from 'prom-client';
import { histogramValues } from './metric-tables.js';
import { queueSeries } from './queue-series.js';
import type { SupervisorMetricsSnapshot } from './supervisor-snapshot.js';
import { MODEL_STATES } from './supervisor-snapshot.js';

type Labels = Record<string, string>;
interface Value {
  value: number;
  labels: Labels;
  metricName?: string;
}
type Read = (snapshot: SupervisorMetricsSnapshot) => Value[];

/**
 * A series whose values come from the latest supervisor snapshot when Prometheus scrapes. It
 * has the shape prom-client's Registry asks of a metric (`name`, `help`, `type`, `get`,
 * `reset`); prom-client's own classes cannot be set to a histogram the supervisor computed.
 */
class SnapshotSeries {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter' | 'histogram',
    private readonly source: () => SupervisorMetricsSnapshot | undefined,
    private readonly read: Read,
  ) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Value[];
    aggregator: string;
  }> {
    const snapshot = this.source();
    const values = snapshot === undefined ? [] : this.read(snapshot);
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    });
  }

  reset(): void {}
}

export interface SupervisorCollectorOptions {
  /** A snapshot older than this counts as missing (`mlx_gateway_supervisor_up` 0). */
  staleAfterMs?: number;
  /** Wall clock, epoch milliseconds. */
  now?: () => number;
}

/**
 * The supervisor's series in the proxy's registry, fed by `update(snapshot)` (the proxy asks
 * the supervisor for one over the control protocol). Nothing is computed until a scrape.
 */
export class SupervisorCollector {
  private latest: SupervisorMetricsSnapshot | undefined;
  private readonly staleAfterMs: number;
  private readonly now: () => number;

  constructor(options: SupervisorCollectorOptions = {}) {
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Adds the series to a registry (at the first scrape: prom-client is loaded only then). */
  register(registry: Registry, GaugeClass: typeof Gauge): void {
    const fresh = this.fresh;
    new GaugeClass({
      name: 'mlx_gateway_supervisor_up',
      help: 'Whether the proxy has fresh figures from the supervisor (1) or not (0).',
      registers: [registry],
      collect() {
        this.set(fresh() === undefined ? 0 : 1);
      },
    });
    for (const series of this.series()) {
      registry.registerMetric(series as unknown as Parameters<Registry['registerMetric']>[0]);
    }
  }

  update(snapshot: SupervisorMetricsSnapshot): void {
    this.latest = snapshot;
  }

  /** The supervisor did not answer: its series go away and `mlx_gateway_supervisor_up` is 0. */
  lost(): void {
    this.latest = undefined;
  }

  private fresh = (): SupervisorMetricsSnapshot | undefined => {
    const s = this.latest;
    return s !== undefined && this.now() - s.at <= this.staleAfterMs ? s : undefined;
  };

  private series(): SnapshotSeries[] {
    // Long on purpose: a flat table, one entry per series read from the supervisor's snapshot.
    const src = this.fresh;
    const s = (name: string, help: string, type: SnapshotSeries['type'], read: Read) =>
      new SnapshotSeries(name, help, type, src, read);
    return [
      s(
        'mlx_gateway_model_state',
        'State of each model: 1 for its current state, 0 for the others.',
        'gauge',
        (x) =>
          x.models.flatMap((m) =>
            MODEL_STATES.map((state) => ({
              labels: { model: m.model, state },
              value: m.state === state ? 1 : 0,
            })),
          ),
      ),
      s(
        'mlx_gateway_model_resident_memory_bytes',
        "Resident memory of each running model's whole process group.",
        'gauge',
        (x) =>
          x.models.flatMap((m) =>
            m.residentBytes === undefined
              ? []
              : [{ labels: { model: m.model }, value: m.residentBytes }],
          ),
      ),
      s('mlx_gateway_model_starts_total', 'Model starts, by result.', 'counter', (x) =>
        x.starts.map((e) => ({ labels: { model: e.model, result: e.result }, value: e.count })),
      ),
      s(
        'mlx_gateway_model_load_duration_seconds',
        'Time from spawning a model server to its being ready.',
        'histogram',
        (x) =>
          x.loadDuration.flatMap((e) =>
            histogramValues(
              'mlx_gateway_model_load_duration_seconds',
              { model: e.model },
              e.histogram,
            ),
          ),
      ),
      s('mlx_gateway_model_stops_total', 'Model stops, by reason.', 'counter', (x) =>
        x.stops.map((e) => ({ labels: { model: e.model, reason: e.reason }, value: e.count })),
      ),
      s(
        'mlx_gateway_model_evictions_total',
        'Models stopped to make room for another, by reason.',
        'counter',
        (x) =>
          x.evictions.map((e) => ({
            labels: { model: e.model, reason: e.reason },
            value: e.count,
          })),
      ),
      s(
        'mlx_gateway_model_unexpected_exits_total',
        'Model servers that exited without being asked to.',
        'counter',
        (x) => x.unexpectedExits.map((e) => ({ labels: { model: e.model }, value: e.count })),
      ),
      s(
        'mlx_gateway_model_ready_wait_seconds',
        'Time callers of ensure() waited for a model to be ready.',
        'histogram',
        (x) =>
          x.readyWait.flatMap((e) =>
            histogramValues(
              'mlx_gateway_model_ready_wait_seconds',
              { model: e.model },
              e.histogram,
            ),
          ),
      ),
      s(
        'mlx_gateway_supervisor_resident_memory_bytes',
        "The supervisor process's resident memory.",
        'gauge',
        (x) => [{ labels: {}, value: x.process.residentBytes }],
      ),
      s(
        'mlx_gateway_supervisor_heap_used_bytes',
        "The supervisor process's JavaScript heap in use.",
        'gauge',
        (x) => [{ labels: {}, value: x.process.heapUsedBytes }],
      ),
      s(
        'mlx_gateway_supervisor_event_loop_lag_seconds',
        "The supervisor's event-loop lag.",
        'gauge',
        (x) => [{ labels: {}, value: x.process.eventLoopLagSeconds }],
      ),
      ...queueSeries(s),
    ];
  }
}
