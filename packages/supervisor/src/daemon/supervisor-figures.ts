import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { HistogramRecorder } from '@mlx-gateway/protocol';
import type { ModelFigures, ModelInfo, SupervisorMetricsSnapshot } from '@mlx-gateway/protocol';

/** Load durations: 1 s to 15 minutes (a large model from a cold disk takes minutes). */
const LOAD_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 900];
/** Waits for a model: from nothing (ready already) to 15 minutes. */
const WAIT_BUCKETS = [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

type Phase = ModelInfo['state'];

/** A stop's reason as a label: the lifecycle's reasons are sentences. */
function stopReason(reason: string | undefined): { label: string; eviction: boolean } {
  const r = reason ?? '';
  if (r.startsWith('evicted')) return { label: 'capacity', eviction: true };
  if (r.startsWith('idle')) return { label: 'idle', eviction: false };
  if (r.startsWith('wedged')) return { label: 'wedged', eviction: false };
  if (r.includes('operator')) return { label: 'operator', eviction: false };
  if (r.startsWith('supervisor')) return { label: 'shutdown', eviction: false };
  return { label: 'other', eviction: false };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * The supervisor's figures for the proxy's /metrics (the `metrics` control command): counted
 * from the model state changes the supervisor publishes anyway (`observe`), and from the waits
 * of ensure() callers (`waited`). Keys of the count maps are `model\0label`.
 */
export class SupervisorFigures {
  private readonly phases = new Map<string, { phase: Phase; since: number }>();
  private readonly starts = new Map<string, number>();
  private readonly stops = new Map<string, number>();
  private readonly evictions = new Map<string, number>();
  private readonly exits = new Map<string, number>();
  private readonly load = new Map<string, HistogramRecorder>();
  private readonly wait = new Map<string, HistogramRecorder>();
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.lag.enable();
  }

  /** A model's new state (the publish hook of every controller). */
  observe(info: ModelInfo, now: number): void {
    const before = this.phases.get(info.name);
    const phase = info.state;
    if (before?.phase === phase) return;
    this.phases.set(info.name, { phase, since: now });
    if (before === undefined) return;
    const model = info.name;
    if (before.phase === 'starting' && phase === 'ready') {
      bump(this.starts, `${model}\0ok`);
      recorder(this.load, model, LOAD_BUCKETS).observe((now - before.since) / 1000);
    } else if (before.phase === 'starting' && (phase === 'failed' || phase === 'stopped')) {
      bump(this.starts, `${model}\0${phase === 'failed' ? 'failed' : 'cancelled'}`);
    } else if (before.phase === 'ready' && phase === 'stopped') {
      // Straight from ready to stopped: the process died while serving.
      bump(this.exits, model);
    } else if (phase === 'stopping') {
      const { label, eviction } = stopReason(info.reason);
      bump(eviction ? this.evictions : this.stops, `${model}\0${label}`);
    }
  }

  /** An ensure() caller waited `ms` for `model` to be ready. */
  waited(model: string, ms: number): void {
    recorder(this.wait, model, WAIT_BUCKETS).observe(ms / 1000);
  }

  async snapshot(
    models: readonly ModelInfo[],
    memoryOf: (pid: number) => Promise<number>,
    now: number,
  ): Promise<SupervisorMetricsSnapshot> {
    const figures: ModelFigures[] = await Promise.all(
      models.map(async (m): Promise<ModelFigures> => {
        const running = m.pid !== undefined && m.state !== 'stopped' && m.state !== 'failed';
        if (!running) return { model: m.name, state: m.state };
        const residentBytes = await memoryOf(m.pid as number).catch(() => undefined);
        return residentBytes === undefined
          ? { model: m.name, state: m.state }
          : { model: m.name, state: m.state, residentBytes };
      }),
    );
    const mem = process.memoryUsage();
    const lagMs = Number.isFinite(this.lag.mean) ? this.lag.mean / 1e6 : 0;
    return {
      v: 1,
      at: now,
      models: figures,
      starts: labelled(this.starts, 'result'),
      loadDuration: histograms(this.load),
      stops: labelled(this.stops, 'reason'),
      evictions: labelled(this.evictions, 'reason'),
      unexpectedExits: [...this.exits].map(([model, count]) => ({ model, count })),
      readyWait: histograms(this.wait),
      process: {
        residentBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        eventLoopLagSeconds: lagMs / 1000,
      },
    };
  }

  close(): void {
    this.lag.disable();
  }
}

function recorder(
  map: Map<string, HistogramRecorder>,
  model: string,
  buckets: number[],
): HistogramRecorder {
  let r = map.get(model);
  if (r === undefined) map.set(model, (r = new HistogramRecorder(buckets)));
  return r;
}

function labelled<L extends string>(
  map: Map<string, number>,
  label: L,
): Array<{ model: string; count: number } & Record<L, string>> {
  return [...map].map(([key, count]) => {
    const [model, value] = key.split('\0') as [string, string];
    return { model, [label]: value, count } as { model: string; count: number } & Record<L, string>;
  });
}

function histograms(map: Map<string, HistogramRecorder>) {
  return [...map].map(([model, r]) => ({ model, histogram: r.snapshot() }));
}
