import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/audit-record.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { metricsRoute } from './metrics-route.js';
import { HistogramRecorder, parseSupervisorSnapshot } from './supervisor-snapshot.js';
import type { SupervisorMetricsSnapshot } from './supervisor-snapshot.js';

function record(fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    v: 1,
    time: '2026-12-04T10:00:00.000Z',
    requestId: 'r',
    api: 'openai.chat',
    stream: false,
    model: 'qwen',
    resolvedModel: 'qwen-7b',
    backend: 'local',
    attempts: [{ target: 'qwen-7b', backend: 'local', outcome: 'ok', durationMs: 10 }],
    coldStart: false,
    status: 200,
    complete: true,
    durationMs: 250,
    bytesIn: 10,
    bytesOut: 20,
    ...fields,
  };
}

/** The value of one sample line of the text format, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GatewayMetrics.recordRequest', () => {
  it('counts requests, durations, first tokens and tokens by model', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    m.recordRequest(
      record({
        stream: true,
        ttftMs: 40,
        usage: { input: 100, output: 20, cacheRead: 5, cacheWrite: 0 },
      }),
    );
    m.recordRequest(
      record({ status: 503, resolvedModel: undefined, backend: undefined, attempts: [] }),
    );
    const text = await m.metrics();
    expect(
      sample(
        text,
        'mlx_gateway_requests_total{model="qwen-7b",api="openai.chat",backend="local",status_class="2xx"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'mlx_gateway_requests_total{model="none",api="openai.chat",backend="none",status_class="5xx"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'mlx_gateway_request_duration_seconds_bucket{model="qwen-7b",api="openai.chat",le="0.25"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'mlx_gateway_request_duration_seconds_bucket{model="qwen-7b",api="openai.chat",le="0.1"}',
      ),
    ).toBe(0);
    expect(
      sample(
        text,
        'mlx_gateway_time_to_first_token_seconds_count{model="qwen-7b",api="openai.chat"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'mlx_gateway_time_to_first_token_seconds_sum{model="qwen-7b",api="openai.chat"}',
      ),
    ).toBe(0.04);
    expect(sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="input"}')).toBe(100);
    expect(sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="output"}')).toBe(20);
    expect(sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="cache_read"}')).toBe(5);
    expect(text).not.toContain('type="cache_write"');
  });

  it('counts fallbacks, upstream errors, disconnects, incomplete streams and model waits', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    m.recordRequest(
      record({
        stream: true,
        complete: false,
        incomplete: 'client_closed',
        modelWaitMs: 1500,
        coldStart: true,
        attempts: [
          {
            target: 'local-a',
            backend: 'local',
            outcome: 'error',
            errorCode: 'MODEL_START_FAILED',
            durationMs: 5,
          },
          { target: 'cloud', backend: 'openai', outcome: 'ok', durationMs: 5 },
        ],
        resolvedModel: 'cloud',
      }),
    );
    const text = await m.metrics();
    expect(sample(text, 'mlx_gateway_fallbacks_total{from="local-a",to="cloud"}')).toBe(1);
    expect(
      sample(text, 'mlx_gateway_upstream_errors_total{backend="local",code="MODEL_START_FAILED"}'),
    ).toBe(1);
    expect(sample(text, 'mlx_gateway_client_disconnects_total{api="openai.chat"}')).toBe(1);
    expect(
      sample(text, 'mlx_gateway_incomplete_streams_total{model="cloud",reason="client_closed"}'),
    ).toBe(1);
    expect(sample(text, 'mlx_gateway_request_model_wait_seconds_sum{model="cloud"}')).toBe(1.5);
  });

  it('adds up repeated requests of a kind in the same series, and starts again after a reset', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    const usage = { input: 3, output: 2, cacheRead: 0, cacheWrite: 0 };
    for (let i = 0; i < 3; i++) m.recordRequest(record({ ttftMs: 10, usage }));
    m.recordRequest(record({ status: 404 }));
    let text = await m.metrics();
    const ok =
      'mlx_gateway_requests_total{model="qwen-7b",api="openai.chat",backend="local",status_class="2xx"}';
    expect(sample(text, ok)).toBe(3);
    expect(sample(text, ok.replace('2xx', '4xx'))).toBe(1);
    expect(sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="input"}')).toBe(9);
    expect(
      sample(text, 'mlx_gateway_request_duration_seconds_count{model="qwen-7b",api="openai.chat"}'),
    ).toBe(4);
    await m.reset();
    m.recordRequest(record({ usage }));
    text = await m.metrics();
    expect(sample(text, ok)).toBe(1);
    expect(sample(text, ok.replace('2xx', '4xx'))).toBeUndefined();
    expect(sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="input"}')).toBe(3);
  });

  it('counts tokens by client key name only when switched on', async () => {
    const usage = { input: 3, output: 4, cacheRead: 0, cacheWrite: 0 };
    const on = new GatewayMetrics({ processMetrics: false, tokensByClient: true });
    on.recordRequest(record({ client: 'ci', usage }));
    on.recordRequest(record({ usage }));
    const text = await on.metrics();
    expect(
      sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="output",client="ci"}'),
    ).toBe(4);
    expect(
      sample(text, 'mlx_gateway_tokens_total{model="qwen-7b",type="output",client="none"}'),
    ).toBe(4);
    const off = new GatewayMetrics({ processMetrics: false });
    off.recordRequest(record({ client: 'ci', usage }));
    expect(await off.metrics()).not.toContain('client="ci"');
  });

  it('reads requests in flight at scrape time, and has the process series when asked', async () => {
    let running = 3;
    const m = new GatewayMetrics({ inFlight: () => running });
    expect(sample(await m.metrics(), 'mlx_gateway_requests_in_flight')).toBe(3);
    running = 0;
    const text = await m.metrics();
    expect(sample(text, 'mlx_gateway_requests_in_flight')).toBe(0);
    expect(text).toContain('mlx_gateway_proxy_process_resident_memory_bytes');
    expect(text).toContain('mlx_gateway_proxy_nodejs_eventloop_lag_seconds');
  });
});

describe('the registry built at the first scrape', () => {
  it('shows what was counted before it existed, once, to concurrent first scrapes alike', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    m.recordRequest(record());
    m.recordRequest(record());
    const [a, b] = await Promise.all([m.metrics(), m.metrics()]);
    const series =
      'mlx_gateway_requests_total{model="qwen-7b",api="openai.chat",backend="local",status_class="2xx"}';
    expect(sample(a, series)).toBe(2);
    expect(b).toBe(a);
    expect(
      a.split('\n').filter((l) => l === '# TYPE mlx_gateway_requests_total counter'),
    ).toHaveLength(1);
    m.recordRequest(record());
    expect(sample(await m.metrics(), series)).toBe(3);
  });

  it("answers with prom-client's content type", async () => {
    const { Registry } = await import('prom-client');
    expect(new GatewayMetrics({ processMetrics: false }).contentType).toBe(
      Registry.PROMETHEUS_CONTENT_TYPE,
    );
  });
});

describe('the supervisor series', () => {
  const load = new HistogramRecorder([1, 10, 60]);
  load.observe(4);
  load.observe(30);
  const snapshot: SupervisorMetricsSnapshot = {
    v: 1,
    at: 1_000_000,
    models: [
      { model: 'qwen', state: 'ready', residentBytes: 4e9 },
      { model: 'llama', state: 'failed' },
    ],
    starts: [
      { model: 'qwen', result: 'ok', count: 2 },
      { model: 'llama', result: 'failed', count: 1 },
    ],
    loadDuration: [{ model: 'qwen', histogram: load.snapshot() }],
    stops: [{ model: 'qwen', reason: 'idle', count: 1 }],
    evictions: [{ model: 'llama', reason: 'memory', count: 1 }],
    unexpectedExits: [{ model: 'llama', count: 1 }],
    readyWait: [],
    process: { residentBytes: 5e7, heapUsedBytes: 2e7, eventLoopLagSeconds: 0.002 },
  };

  it('shows the figures of a fresh snapshot that came as JSON', async () => {
    let now = 1_000_000;
    const m = new GatewayMetrics({
      processMetrics: false,
      supervisor: { now: () => now, staleAfterMs: 5000 },
    });
    expect(sample(await m.metrics(), 'mlx_gateway_supervisor_up')).toBe(0);
    const travelled = parseSupervisorSnapshot(JSON.parse(JSON.stringify(snapshot)));
    expect(travelled).toBeDefined();
    m.supervisor.update(travelled!);
    const text = await m.metrics();
    expect(sample(text, 'mlx_gateway_supervisor_up')).toBe(1);
    expect(sample(text, 'mlx_gateway_model_state{model="qwen",state="ready"}')).toBe(1);
    expect(sample(text, 'mlx_gateway_model_state{model="qwen",state="stopped"}')).toBe(0);
    expect(sample(text, 'mlx_gateway_model_state{model="llama",state="failed"}')).toBe(1);
    expect(sample(text, 'mlx_gateway_model_resident_memory_bytes{model="qwen"}')).toBe(4e9);
    expect(sample(text, 'mlx_gateway_model_starts_total{model="llama",result="failed"}')).toBe(1);
    expect(
      sample(text, 'mlx_gateway_model_load_duration_seconds_bucket{model="qwen",le="10"}'),
    ).toBe(1);
    expect(
      sample(text, 'mlx_gateway_model_load_duration_seconds_bucket{model="qwen",le="60"}'),
    ).toBe(2);
    expect(
      sample(text, 'mlx_gateway_model_load_duration_seconds_bucket{model="qwen",le="+Inf"}'),
    ).toBe(2);
    expect(sample(text, 'mlx_gateway_model_load_duration_seconds_sum{model="qwen"}')).toBe(34);
    expect(sample(text, 'mlx_gateway_model_stops_total{model="qwen",reason="idle"}')).toBe(1);
    expect(sample(text, 'mlx_gateway_model_evictions_total{model="llama",reason="memory"}')).toBe(
      1,
    );
    expect(sample(text, 'mlx_gateway_model_unexpected_exits_total{model="llama"}')).toBe(1);
    expect(sample(text, 'mlx_gateway_supervisor_event_loop_lag_seconds')).toBe(0.002);
    expect(text).toContain('# TYPE mlx_gateway_model_load_duration_seconds histogram');
    now += 6000;
    const stale = await m.metrics();
    expect(sample(stale, 'mlx_gateway_supervisor_up')).toBe(0);
    expect(stale).not.toContain('mlx_gateway_model_state{');
  });

  it('refuses a snapshot of the wrong shape', () => {
    expect(parseSupervisorSnapshot({ v: 2 })).toBeUndefined();
    expect(parseSupervisorSnapshot({ ...snapshot, models: [{ state: 'ready' }] })).toBeUndefined();
    const badHistogram = {
      ...snapshot,
      loadDuration: [{ model: 'q', histogram: { buckets: [1], counts: [] } }],
    };
    expect(parseSupervisorSnapshot(badHistogram)).toBeUndefined();
  });
});

describe('metricsRoute', () => {
  it('answers the text format to callers the predicate lets in, and 404 to the rest', async () => {
    const m = new GatewayMetrics({ processMetrics: false });
    m.recordRequest(record());
    const app = new Hono();
    app.get(
      '/metrics',
      metricsRoute(m, (c) => c.req.header('x-operator') === 'yes'),
    );
    const ok = await app.request('/metrics', { headers: { 'x-operator': 'yes' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toContain('mlx_gateway_requests_total{');
    expect((await app.request('/metrics')).status).toBe(404);
  });
});
