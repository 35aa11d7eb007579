import type { SupervisorMetricsSnapshot } from '@mlx-gateway/protocol';

// The snapshot's shape is the protocol's (the supervisor builds it, the proxy reads it).
export { HistogramRecorder, MODEL_STATES } from '@mlx-gateway/protocol';
export type {
  HistogramSnapshot,
  ModelFigures,
  QueueFigures,
  SupervisorMetricsSnapshot,
} from '@mlx-gateway/protocol';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The snapshot when `value` has its shape (it crossed a process boundary), else undefined. It
 * checks the structure the collector reads, not every number: a bad figure shows as a bad
 * figure, never as a crash of the scrape.
 */
export function parseSupervisorSnapshot(value: unknown): SupervisorMetricsSnapshot | undefined {
  if (!isObject(value) || value.v !== 1 || typeof value.at !== 'number') return undefined;
  const lists = [
    'models',
    'starts',
    'loadDuration',
    'stops',
    'evictions',
    'unexpectedExits',
    'readyWait',
  ];
  for (const key of lists) {
    const list = value[key];
    if (
      !Array.isArray(list) ||
      !list.every((item) => isObject(item) && typeof item.model === 'string')
    )
      return undefined;
  }
  for (const key of ['loadDuration', 'readyWait']) {
    for (const item of value[key] as Array<Record<string, unknown>>) {
      const h = item.histogram;
      if (!isObject(h) || !Array.isArray(h.buckets) || !Array.isArray(h.counts)) return undefined;
      if (h.buckets.length !== h.counts.length) return undefined;
    }
  }
  if (!isObject(value.process)) return undefined;
  return value as unknown as SupervisorMetricsSnapshot;
}
