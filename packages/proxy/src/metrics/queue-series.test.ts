import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HistogramRecorder } from '@mlx-gateway/protocol';
import type { SupervisorMetricsSnapshot } from '@mlx-gateway/protocol';
import { SupervisorCollector } from './supervisor-collector.js';

function snapshot(queues?: SupervisorMetricsSnapshot['queues']): SupervisorMetricsSnapshot {
  return {
    v: 1,
    at: 1_000,
    models: [],
    starts: [],
    loadDuration: [],
    stops: [],
    evictions: [],
    unexpectedExits: [],
    readyWait: [],
    process: { residentBytes: 1, heapUsedBytes: 1, eventLoopLagSeconds: 0 },
    ...(queues === undefined ? {} : { queues }),
  };
}

describe('queue series', () => {
  it('shows each line of the supervisor: waiting, active, oldest wait, refused, waits', async () => {
    const registry = new Registry();
    const collector = new SupervisorCollector({ now: () => 1_000 });
    collector.register(registry, Gauge);
    const wait = new HistogramRecorder([0.01, 1, 10]);
    wait.observe(0);
    wait.observe(2.5);
    collector.update(
      snapshot([
        {
          model: 'solo',
          active: 1,
          waiting: 3,
          oldestWaitSeconds: 2.5,
          refused: 4,
          wait: wait.snapshot(),
        },
      ]),
    );
    const text = await registry.metrics();
    expect(text).toContain('mlx_gateway_model_queue_waiting{model="solo"} 3');
    expect(text).toContain('mlx_gateway_model_queue_active{model="solo"} 1');
    expect(text).toContain('mlx_gateway_model_queue_oldest_wait_seconds{model="solo"} 2.5');
    expect(text).toContain('mlx_gateway_model_queue_refused_total{model="solo"} 4');
    expect(text).toContain('mlx_gateway_model_queue_wait_seconds_bucket{model="solo",le="1"} 1');
    expect(text).toContain('mlx_gateway_model_queue_wait_seconds_bucket{model="solo",le="+Inf"} 2');
    expect(text).toContain('mlx_gateway_model_queue_wait_seconds_sum{model="solo"} 2.5');
  });

  it('a supervisor without lines (or an older one) gives no queue values', async () => {
    const registry = new Registry();
    const collector = new SupervisorCollector({ now: () => 1_000 });
    collector.register(registry, Gauge);
    collector.update(snapshot());
    expect(await registry.metrics()).not.toMatch(/mlx_gateway_model_queue_waiting\{/);
  });
});
