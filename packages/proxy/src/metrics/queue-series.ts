import { histogramValues } from './metric-tables.js';
import type { MetricValue } from './metric-tables.js';
import type { QueueFigures, SupervisorMetricsSnapshot } from './supervisor-snapshot.js';

/** How the collector makes a series read from the supervisor's snapshot. */
type MakeSeries<S> = (
  name: string,
  help: string,
  type: 'gauge' | 'counter' | 'histogram',
  read: (snapshot: SupervisorMetricsSnapshot) => MetricValue[],
) => S;

const isHistogram = (h: unknown): boolean =>
  typeof h === 'object' &&
  h !== null &&
  Array.isArray((h as { buckets?: unknown }).buckets) &&
  Array.isArray((h as { counts?: unknown }).counts);

/** The snapshot's lines that have the shape read here (an older supervisor sends none). */
function lines(x: SupervisorMetricsSnapshot): QueueFigures[] {
  const list: unknown = x.queues;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (q: Partial<QueueFigures> | null): q is QueueFigures =>
      typeof q?.model === 'string' && typeof q.waiting === 'number' && isHistogram(q.wait),
  );
}

/**
 * The local model lines (turns of models with `maxConcurrent`, kept by the supervisor for every
 * proxy): requests waiting and served now, the oldest wait, the refused, and a histogram of the
 * time each granted request waited for its turn.
 */
export function queueSeries<S>(series: MakeSeries<S>): S[] {
  return [
    series(
      'mlx_gateway_model_queue_waiting',
      'Requests waiting now for a turn of a local model with maxConcurrent.',
      'gauge',
      (x) => lines(x).map((q) => ({ labels: { model: q.model }, value: q.waiting })),
    ),
    series(
      'mlx_gateway_model_queue_active',
      'Requests holding a turn of a local model with maxConcurrent.',
      'gauge',
      (x) => lines(x).map((q) => ({ labels: { model: q.model }, value: q.active })),
    ),
    series(
      'mlx_gateway_model_queue_oldest_wait_seconds',
      'How long the longest-waiting request has waited for its turn (0: none waits).',
      'gauge',
      (x) => lines(x).map((q) => ({ labels: { model: q.model }, value: q.oldestWaitSeconds })),
    ),
    series(
      'mlx_gateway_model_queue_refused_total',
      'Requests refused a turn: the line was full or the wait ran past queue.timeout.',
      'counter',
      (x) => lines(x).map((q) => ({ labels: { model: q.model }, value: q.refused })),
    ),
    series(
      'mlx_gateway_model_queue_wait_seconds',
      'Time each request waited for its turn of a local model (0 when one was free).',
      'histogram',
      (x) =>
        lines(x).flatMap((q) =>
          histogramValues('mlx_gateway_model_queue_wait_seconds', { model: q.model }, q.wait),
        ),
    ),
  ];
}
