import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../events/event-hub.js';
import type { AppEnv } from '../http/app-env.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import { registerObservabilityRoutes } from './observability-routes.js';

const snapshot = () => ({
  v: 1,
  at: Date.now(),
  models: [{ model: 'qwen', state: 'ready', residentBytes: 1234 }],
  starts: [{ model: 'qwen', result: 'ok', count: 2 }],
  loadDuration: [],
  stops: [],
  evictions: [],
  unexpectedExits: [],
  readyWait: [],
  process: { residentBytes: 10, heapUsedBytes: 5, eventLoopLagSeconds: 0.001 },
});

function app(metricsSnapshot: () => Promise<unknown>) {
  const a = new Hono<AppEnv>();
  const metrics = new GatewayMetrics({ processMetrics: false });
  const supervisor = { metricsSnapshot } as unknown as ModelSupervisor;
  registerObservabilityRoutes(a, { metrics, events: new EventHub(), supervisor });
  const from = (remoteAddress: string) =>
    ({ incoming: { socket: { remoteAddress } }, outgoing: {} }) as unknown as AppEnv['Bindings'];
  return { a, from };
}

describe('GET /metrics', () => {
  it("serves loopback callers, with the supervisor's figures asked for at the scrape", async () => {
    let asked = 0;
    const { a, from } = app(() => {
      asked++;
      return Promise.resolve(snapshot());
    });
    const res = await a.request('/metrics', {}, from('127.0.0.1'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(asked).toBe(1);
    expect(text).toContain('mlx_gateway_supervisor_up 1');
    expect(text).toContain('mlx_gateway_model_starts_total{model="qwen",result="ok"} 2');
    expect(text).toContain('mlx_gateway_model_resident_memory_bytes{model="qwen"} 1234');
  });

  it('says the supervisor is down when it does not answer, dropping its earlier figures', async () => {
    let up = true;
    const { a, from } = app(() =>
      up ? Promise.resolve(snapshot()) : Promise.reject(new Error('x')),
    );
    await (await a.request('/metrics', {}, from('::1'))).text();
    up = false;
    const text = await (await a.request('/metrics', {}, from('::1'))).text();
    expect(text).toContain('mlx_gateway_supervisor_up 0');
    expect(text).not.toContain('mlx_gateway_model_starts_total{');
  });

  it('answers 404 to a caller from elsewhere, and never asks the supervisor for it', async () => {
    let asked = 0;
    const { a, from } = app(() => {
      asked++;
      return Promise.resolve(snapshot());
    });
    expect((await a.request('/metrics', {}, from('10.0.0.7'))).status).toBe(404);
    expect((await a.request('/v1/gateway/events', {}, from('10.0.0.7'))).status).toBe(404);
    expect(asked).toBe(0);
  });
});
