import type { Context, Hono } from 'hono';
import { parseSupervisorSnapshot } from '../metrics/supervisor-snapshot.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { metricsRoute } from '../metrics/metrics-route.js';
import type { EventHub } from '../events/event-hub.js';
import { gatewayEventsRoute } from '../events/events-route.js';
import type { AppEnv } from '../http/app-env.js';
import { methodNotAllowed } from '../http/method-not-allowed.js';
import type { ModelSupervisor } from '../supervisor/model-supervisor.js';
import { isLoopbackAddress } from '../auth/loopback-caller.js';

export interface ObservabilityDeps {
  /** Absent when `metrics.enabled` is false: GET /metrics is then a 404. */
  metrics?: GatewayMetrics;
  /** Absent when audit and metrics are both off. */
  events?: EventHub;
  supervisor: ModelSupervisor;
}

/**
 * The operator's routes are for loopback callers: the gateway has no operator credential, and a
 * client key (which may be handed to anyone) never opens them. Elsewhere they answer 404, as a
 * path that does not exist.
 */
function fromLoopback(c: Context<AppEnv>): boolean {
  return isLoopbackAddress(c.env.incoming.socket.remoteAddress);
}

/**
 * GET /metrics (Prometheus text; the supervisor's figures are asked for at each scrape, bounded
 * by the control timeout: when it does not answer, `mlx_gateway_supervisor_up` is 0) and GET
 * /v1/gateway/events (server-sent events: request ends and model state changes).
 */
export function registerObservabilityRoutes(app: Hono<AppEnv>, deps: ObservabilityDeps): void {
  const { metrics, events, supervisor } = deps;
  if (metrics !== undefined) {
    const scrape = metricsRoute<AppEnv>(metrics, fromLoopback);
    app.get('/metrics', async (c, next) => {
      if (fromLoopback(c)) await refreshSupervisor(metrics, supervisor);
      return scrape(c, next);
    });
    app.all('/metrics', methodNotAllowed('/metrics', 'GET'));
  }
  if (events !== undefined) {
    app.get('/v1/gateway/events', gatewayEventsRoute<AppEnv>(events, { allow: fromLoopback }));
    app.all('/v1/gateway/events', methodNotAllowed('/v1/gateway/events', 'GET'));
  }
}

async function refreshSupervisor(
  metrics: GatewayMetrics,
  supervisor: ModelSupervisor,
): Promise<void> {
  if (supervisor.metricsSnapshot === undefined) return;
  try {
    const snapshot = parseSupervisorSnapshot(await supervisor.metricsSnapshot());
    if (snapshot === undefined) metrics.supervisor.lost();
    else metrics.supervisor.update(snapshot);
  } catch {
    metrics.supervisor.lost();
  }
}
