import type { Context, Env, Handler } from 'hono';
import type { GatewayMetrics } from './gateway-metrics.js';

/**
 * Who may scrape: the caller decides (the proxy lets loopback clients in, and anyone else
 * presenting an operator credential). A predicate keeps this route free of the app's auth.
 */
export type MetricsAccess<E extends Env> = (c: Context<E>) => boolean | Promise<boolean>;

/**
 * GET /metrics in Prometheus' text format. A caller the predicate refuses gets a 404, the same
 * answer as for a path that does not exist (the route gives away nothing to a scanner).
 */
export function metricsRoute<E extends Env>(
  metrics: GatewayMetrics,
  allow: MetricsAccess<E>,
): Handler<E> {
  return async (c) => {
    if (!(await allow(c))) return c.notFound();
    const text = await metrics.metrics();
    return c.body(text, 200, { 'content-type': metrics.contentType });
  };
}
