import type { Registry } from 'prom-client';
import type { AuditRecord } from '../audit/audit-record.js';
import { statusClass } from '../audit/audit-record.js';
import { CounterTable, HistogramTable } from './metric-tables.js';
import type { CounterCell, HistogramCell, RegistryMetric } from './metric-tables.js';
import { SupervisorCollector } from './supervisor-collector.js';
import type { SupervisorCollectorOptions } from './supervisor-collector.js';

export interface GatewayMetricsOptions {
  /** Also count tokens by client key name (one series per key). */
  tokensByClient?: boolean;
  /** The proxy process's own memory, CPU and event-loop lag (prom-client's defaults); default on. */
  processMetrics?: boolean;
  /** Requests running now, read at each scrape. */
  inFlight?: () => number;
  supervisor?: SupervisorCollectorOptions;
}

/** Request durations: 5 ms to 15 minutes (a local model's first request includes its load). */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900,
];
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const WAIT_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
const TOKEN_TYPES = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
const TOKEN_LABELS = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache_read',
  cacheWrite: 'cache_write',
};

/** How often the proxy's event-loop lag is sampled, in milliseconds. */
const EVENT_LOOP_SAMPLE_MS = 50;

/** The content type of Prometheus' text format 0.0.4 (prom-client's Registry default). */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value for a record field that may be absent. */
const NONE = 'none';

/**
 * The series one kind of request (model, API, backend) updates, kept once found: a request
 * then costs a few Map lookups by strings the gateway already holds (hashed once), and no key
 * is built or hashed per request.
 */
interface RequestSeries {
  requests: Map<string, CounterCell>;
  duration: HistogramCell;
  ttft?: HistogramCell;
  modelWait?: HistogramCell;
  /** By TOKEN_TYPES index (when tokens are not counted by client). */
  tokens: Array<CounterCell | undefined>;
}

/**
 * The proxy's Prometheus registry: request, token and failure series, fed by one call per
 * request (`recordRequest`, from its audit record), the supervisor's series (from snapshots)
 * and the proxy process's own (prom-client's default metrics). The request series are plain
 * tables rendered at scrape time (metric-tables.ts): a request costs a few map lookups. The
 * `model` label is the configured model that answered, never the name a client typed (which
 * would let any client add series).
 */
export class GatewayMetrics {
  readonly supervisor: SupervisorCollector;
  private readonly tokensByClient: boolean;
  private readonly options: GatewayMetricsOptions;
  /** prom-client's registry, built at the first scrape (see registryReady). */
  private registry: Promise<Registry> | undefined;
  /** More series registered with the registry when it is built (addSeries). */
  private readonly extraSeries: Array<(registry: Registry) => void> = [];
  private readonly requests = new CounterTable(
    'mlx_gateway_requests_total',
    'Requests that ended, by model, API, backend and status class.',
    ['model', 'api', 'backend', 'status_class'],
  );
  private readonly duration = new HistogramTable(
    'mlx_gateway_request_duration_seconds',
    'Time from the arrival of a request to the end of its response.',
    ['model', 'api'],
    DURATION_BUCKETS,
  );
  private readonly ttft = new HistogramTable(
    'mlx_gateway_time_to_first_token_seconds',
    'Time from the arrival of a request to the first generated token.',
    ['model', 'api'],
    TTFT_BUCKETS,
  );
  private readonly tokens: CounterTable;
  private readonly fallbacks = new CounterTable(
    'mlx_gateway_fallbacks_total',
    'Moves from a failed target to the next one of its fallback chain.',
    ['from', 'to'],
  );
  private readonly upstreamErrors = new CounterTable(
    'mlx_gateway_upstream_errors_total',
    'Attempts that failed, by backend and error code.',
    ['backend', 'code'],
  );
  private readonly disconnects = new CounterTable(
    'mlx_gateway_client_disconnects_total',
    'Requests whose client went away before the response ended.',
    ['api'],
  );
  private readonly incomplete = new CounterTable(
    'mlx_gateway_incomplete_streams_total',
    'Streamed responses that ended early, by model and reason.',
    ['model', 'reason'],
  );
  private readonly modelWait = new HistogramTable(
    'mlx_gateway_request_model_wait_seconds',
    'Time a request waited for a local model to be ready.',
    ['model'],
    WAIT_BUCKETS,
  );

  constructor(options: GatewayMetricsOptions = {}) {
    this.tokensByClient = options.tokensByClient ?? false;
    this.tokens = new CounterTable(
      'mlx_gateway_tokens_total',
      "Tokens from the upstreams' usage, by model and type (input, output, cache_read, cache_write).",
      this.tokensByClient ? ['model', 'type', 'client'] : ['model', 'type'],
    );
    this.options = options;
    this.supervisor = new SupervisorCollector(options.supervisor);
  }

  /**
   * prom-client is loaded, and its registry filled, at the first scrape: a gateway nobody
   * scrapes never holds it (issue 17: a few megabytes resident). The request series are plain
   * tables counted from the start; the process series (CPU, memory, event-loop lag, GC) of
   * prom-client's defaults start at that scrape too, their counters reading the process's
   * totals since it started.
   */
  /** Series of other parts (the audit sinks' figures), added when the registry is built. */
  addSeries(add: (registry: Registry) => void): void {
    this.extraSeries.push(add);
  }

  /** Clears every series (tests; prom-client's resetMetrics on the registry). */
  async reset(): Promise<void> {
    (await this.registryReady()).resetMetrics();
  }

  private registryReady(): Promise<Registry> {
    this.registry ??= import('prom-client').then((prom) => {
      const registry = new prom.Registry();
      const tables: RegistryMetric[] = [
        this.requests,
        this.duration,
        this.ttft,
        this.tokens,
        this.fallbacks,
        this.upstreamErrors,
        this.disconnects,
        this.incomplete,
        this.modelWait,
      ];
      for (const table of tables) {
        registry.registerMetric(table as unknown as Parameters<Registry['registerMetric']>[0]);
      }
      const inFlight = this.options.inFlight;
      new prom.Gauge({
        name: 'mlx_gateway_requests_in_flight',
        help: 'Proxied requests running now.',
        registers: [registry],
        collect() {
          this.set(inFlight?.() ?? 0);
        },
      });
      this.supervisor.register(registry, prom.Gauge);
      for (const add of this.extraSeries) add(registry);
      if (this.options.processMetrics ?? true) {
        prom.collectDefaultMetrics({
          register: registry,
          prefix: 'mlx_gateway_proxy_',
          // The lag is sampled by a timer; prom-client's default (10 ms) wakes the proxy 100
          // times a second, ~4 ms of CPU a second on the benchmark's machine even when idle.
          eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
        });
      }
      return registry;
    });
    return this.registry;
  }

  /** Updates every request series from one finished request's audit record. */
  recordRequest(record: AuditRecord): void {
    const model = record.resolvedModel ?? NONE;
    const { api } = record;
    const series = this.seriesOf(model, api, record.backend ?? NONE);
    const status = statusClass(record.status);
    let requests = series.requests.get(status);
    if (requests === undefined) {
      requests = this.requests.cell([model, api, record.backend ?? NONE, status]);
      series.requests.set(status, requests);
    }
    requests.total++;
    this.duration.observeIn(series.duration, record.durationMs / 1000);
    if (record.ttftMs !== undefined) {
      series.ttft ??= this.ttft.cell([model, api]);
      this.ttft.observeIn(series.ttft, record.ttftMs / 1000);
    }
    if (record.modelWaitMs !== undefined) {
      series.modelWait ??= this.modelWait.cell([model]);
      this.modelWait.observeIn(series.modelWait, record.modelWaitMs / 1000);
    }
    const usage = record.usage;
    if (usage !== undefined) this.countTokens(series, usage, model, record.client);
    const attempts = record.attempts;
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      if (attempt.outcome === 'error') {
        this.upstreamErrors.add(1, attempt.backend, attempt.errorCode ?? NONE);
      }
      const next = attempts[i + 1];
      if (next !== undefined) this.fallbacks.add(1, attempt.target, next.target);
    }
    if (record.incomplete === 'client_closed') this.disconnects.add(1, api);
    if (record.stream && !record.complete) this.incomplete.add(1, model, record.incomplete ?? NONE);
  }

  private countTokens(
    series: RequestSeries,
    usage: NonNullable<AuditRecord['usage']>,
    model: string,
    client: string | undefined,
  ): void {
    for (let t = 0; t < TOKEN_TYPES.length; t++) {
      const type = TOKEN_TYPES[t]!;
      const n = usage[type];
      if (n <= 0) continue;
      if (this.tokensByClient) {
        this.tokens.add(n, model, TOKEN_LABELS[type], client ?? NONE);
        continue;
      }
      let cell = series.tokens[t];
      if (cell === undefined) {
        cell = this.tokens.cell([model, TOKEN_LABELS[type]]);
        series.tokens[t] = cell;
      }
      cell.total += n;
    }
  }

  /** The kept series of a model, API and backend; all dropped when a table was reset. */
  private seriesOf(model: string, api: string, backend: string): RequestSeries {
    const resets =
      this.requests.resets +
      this.duration.resets +
      this.ttft.resets +
      this.modelWait.resets +
      this.tokens.resets;
    if (resets !== this.seenResets) {
      this.series.clear();
      this.seenResets = resets;
    }
    let byApi = this.series.get(model);
    if (byApi === undefined) this.series.set(model, (byApi = new Map()));
    let byBackend = byApi.get(api);
    if (byBackend === undefined) byApi.set(api, (byBackend = new Map()));
    let series = byBackend.get(backend);
    if (series === undefined) {
      series = {
        requests: new Map(),
        duration: this.duration.cell([model, api]),
        tokens: [],
      };
      byBackend.set(backend, series);
    }
    return series;
  }

  private readonly series = new Map<string, Map<string, Map<string, RequestSeries>>>();
  private seenResets = 0;

  /** Runs before every scrape (the requests that ended and are not counted yet, counted). */
  beforeScrape(settle: () => void): void {
    this.settle = settle;
  }

  private settle: (() => void) | undefined;

  /** The text format for a scrape. */
  async metrics(): Promise<string> {
    const registry = await this.registryReady();
    this.settle?.();
    return registry.metrics();
  }

  /** Prometheus' text format (prom-client's registry default), the type of `metrics()`. */
  get contentType(): string {
    return PROMETHEUS_TEXT;
  }
}
