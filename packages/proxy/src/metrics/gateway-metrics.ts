import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditRecord } from '../audit/audit-record.js';
import { statusClass } from '../audit/audit-record.js';
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

/** A label value for a record field that may be absent. */
const NONE = 'none';

interface Inc {
  inc(value?: number): void;
}
interface Observe {
  observe(value: number): void;
}

/**
 * The proxy's Prometheus registry: request, token and failure series, fed by one call per
 * request (`recordRequest`, from its audit record), the supervisor's series (from snapshots)
 * and the proxy process's own. Label children are cached by a joined key, so a request costs
 * a few map lookups and additions. The `model` label is the configured model that answered
 * (never the name a client typed, which would let any client add series).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly supervisor: SupervisorCollector;
  private readonly tokensByClient: boolean;
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly ttft: Histogram;
  private readonly tokens: Counter;
  private readonly fallbacks: Counter;
  private readonly upstreamErrors: Counter;
  private readonly disconnects: Counter;
  private readonly incomplete: Counter;
  private readonly modelWait: Histogram;
  private readonly children = new Map<string, Inc | Observe>();

  constructor(options: GatewayMetricsOptions = {}) {
    const registers = [this.registry];
    this.tokensByClient = options.tokensByClient ?? false;
    this.requests = new Counter({
      name: 'mlx_gateway_requests_total',
      help: 'Requests that ended, by model, API, backend and status class.',
      labelNames: ['model', 'api', 'backend', 'status_class'],
      registers,
    });
    this.duration = new Histogram({
      name: 'mlx_gateway_request_duration_seconds',
      help: 'Time from the arrival of a request to the end of its response.',
      labelNames: ['model', 'api'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.ttft = new Histogram({
      name: 'mlx_gateway_time_to_first_token_seconds',
      help: 'Time from the arrival of a request to the first generated token.',
      labelNames: ['model', 'api'],
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'mlx_gateway_tokens_total',
      help: "Tokens from the upstreams' usage, by model and type (input, output, cache_read, cache_write).",
      labelNames: this.tokensByClient ? ['model', 'type', 'client'] : ['model', 'type'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'mlx_gateway_fallbacks_total',
      help: 'Moves from a failed target to the next one of its fallback chain.',
      labelNames: ['from', 'to'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'mlx_gateway_upstream_errors_total',
      help: 'Attempts that failed, by backend and error code.',
      labelNames: ['backend', 'code'],
      registers,
    });
    this.disconnects = new Counter({
      name: 'mlx_gateway_client_disconnects_total',
      help: 'Requests whose client went away before the response ended.',
      labelNames: ['api'],
      registers,
    });
    this.incomplete = new Counter({
      name: 'mlx_gateway_incomplete_streams_total',
      help: 'Streamed responses that ended early, by model and reason.',
      labelNames: ['model', 'reason'],
      registers,
    });
    this.modelWait = new Histogram({
      name: 'mlx_gateway_request_model_wait_seconds',
      help: 'Time a request waited for a local model to be ready.',
      labelNames: ['model'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    const inFlight = options.inFlight;
    new Gauge({
      name: 'mlx_gateway_requests_in_flight',
      help: 'Proxied requests running now.',
      registers,
      collect() {
        this.set(inFlight?.() ?? 0);
      },
    });
    this.supervisor = new SupervisorCollector(this.registry, options.supervisor);
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'mlx_gateway_proxy_' });
    }
  }

  /** Updates every request series from one finished request's audit record. */
  recordRequest(record: AuditRecord): void {
    const model = record.resolvedModel ?? NONE;
    const { api } = record;
    this.counter(
      this.requests,
      'r',
      model,
      api,
      record.backend ?? NONE,
      statusClass(record.status),
    ).inc();
    this.histogram(this.duration, 'd', model, api).observe(record.durationMs / 1000);
    if (record.ttftMs !== undefined)
      this.histogram(this.ttft, 't', model, api).observe(record.ttftMs / 1000);
    if (record.modelWaitMs !== undefined)
      this.histogram(this.modelWait, 'w', model).observe(record.modelWaitMs / 1000);
    const usage = record.usage;
    if (usage !== undefined) {
      for (const type of TOKEN_TYPES) {
        const n = usage[type];
        if (n <= 0) continue;
        const child = this.tokensByClient
          ? this.counter(this.tokens, 'k', model, TOKEN_LABELS[type], record.client ?? NONE)
          : this.counter(this.tokens, 'k', model, TOKEN_LABELS[type]);
        child.inc(n);
      }
    }
    const attempts = record.attempts;
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      if (attempt.outcome === 'error') {
        this.counter(this.upstreamErrors, 'e', attempt.backend, attempt.errorCode ?? NONE).inc();
      }
      const next = attempts[i + 1];
      if (next !== undefined) this.counter(this.fallbacks, 'f', attempt.target, next.target).inc();
    }
    if (record.incomplete === 'client_closed') this.counter(this.disconnects, 'c', api).inc();
    if (record.stream && !record.complete) {
      this.counter(this.incomplete, 'i', model, record.incomplete ?? NONE).inc();
    }
  }

  /** The text format for a scrape. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private counter(metric: Counter, tag: string, ...values: string[]): Inc {
    const key = `${tag}\u0000${values.join('\u0000')}`;
    let child = this.children.get(key) as Inc | undefined;
    if (child === undefined) {
      child = metric.labels(...values);
      this.children.set(key, child);
    }
    return child;
  }

  private histogram(metric: Histogram, tag: string, ...values: string[]): Observe {
    const key = `${tag}\u0000${values.join('\u0000')}`;
    let child = this.children.get(key) as Observe | undefined;
    if (child === undefined) {
      child = metric.labels(...values);
      this.children.set(key, child);
    }
    return child;
  }
}
