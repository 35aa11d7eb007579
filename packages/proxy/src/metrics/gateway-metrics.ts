import type { Registry } from 'prom-client';
import type { AuditRecord } from '../audit/audit-record.js';
import { statusClass } from '../audit/audit-record.js';
import { CounterTable, HistogramTable } from './metric-tables.js';
import type { RegistryMetric } from './metric-tables.js';
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

/** The content type of Prometheus' text format 0.0.4 (prom-client's Registry default). */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value for a record field that may be absent. */
const NONE = 'none';

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
      if (this.options.processMetrics ?? true) {
        prom.collectDefaultMetrics({ register: registry, prefix: 'mlx_gateway_proxy_' });
      }
      return registry;
    });
    return this.registry;
  }

  /** Updates every request series from one finished request's audit record. */
  recordRequest(record: AuditRecord): void {
    const model = record.resolvedModel ?? NONE;
    const { api } = record;
    this.requests.add(1, model, api, record.backend ?? NONE, statusClass(record.status));
    this.duration.observe(record.durationMs / 1000, model, api);
    if (record.ttftMs !== undefined) this.ttft.observe(record.ttftMs / 1000, model, api);
    if (record.modelWaitMs !== undefined) this.modelWait.observe(record.modelWaitMs / 1000, model);
    const usage = record.usage;
    if (usage !== undefined) {
      for (const type of TOKEN_TYPES) {
        const n = usage[type];
        if (n <= 0) continue;
        if (this.tokensByClient)
          this.tokens.add(n, model, TOKEN_LABELS[type], record.client ?? NONE);
        else this.tokens.add(n, model, TOKEN_LABELS[type]);
      }
    }
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

  /** The text format for a scrape. */
  async metrics(): Promise<string> {
    return (await this.registryReady()).metrics();
  }

  /** Prometheus' text format (prom-client's registry default), the type of `metrics()`. */
  get contentType(): string {
    return PROMETHEUS_TEXT;
  }
}
