import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ClientKeys } from './auth/client-keys.js';
import type { BackendRegistry } from './backends/backend-registry.js';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { Inflight } from './forwarding/inflight.js';
import type { AppEnv } from './http/app-env.js';
import { admit, failOnError, openAndClose } from './http/app-middleware.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { proxiedRoutes } from './http/proxied-routes.js';
import type { ProxyRoute } from './http/proxy-call.js';
import { RequestPipeline } from './http/request-pipeline.js';
import type { ProxyLogger } from './logging/logger.js';
import type { ModelRouter } from './routing/model-router.js';
import { anthropicCountTokensRoute } from './routes/anthropic-count-tokens-route.js';
import { anthropicMessagesRoute } from './routes/anthropic-messages-route.js';
import { ANTHROPIC_COUNT_TOKENS_PATH, ANTHROPIC_MESSAGES_PATH } from './api/anthropic-paths.js';
import { gatewayModelsRoute } from './routes/gateway-models-route.js';
import { registerDebugHeapRoute } from './routes/debug-heap-route.js';
import { healthRoute } from './routes/health-route.js';
import { MODEL_BY_ID_PREFIX, modelByIdRoute, modelsRoute } from './routes/models-route.js';
import { describeRoutes } from './http/route-list.js';
import { openAIEndpoints } from './api/openai-endpoints.js';
import { openAIProxyRoute } from './routes/openai-proxy-route.js';
import { responsesEndpoint } from './api/responses-endpoints.js';
import { registerResponsesReadRoutes } from './routes/responses-read-routes.js';
import { responsesRoute } from './routes/responses-route.js';
import type { ResponseStore } from './state/response-store.js';
import { DEFAULT_RESPONSE_TTL_MS } from './state/response-store.js';
import { embeddedResponseStore } from './state/state-response-store.js';
import type { ModelSupervisor } from './supervisor/model-supervisor.js';
import type { RequestEnd } from './http/request-audit.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { EventHub } from './events/event-hub.js';
import { registerObservabilityRoutes } from './routes/observability-routes.js';
import { registerLimitUsageRoute } from './routes/limit-usage-route.js';
import type { ClientLimiter } from './limits/client-limiter.js';
import type { DashboardDeps } from './dashboard/dashboard-deps.js';
import { mountDashboard } from './dashboard/mount.js';

export interface AppDeps {
  router: ModelRouter;
  backends: BackendRegistry;
  supervisor: ModelSupervisor;
  inflight: Inflight;
  clock: Clock;
  logger: ProxyLogger;
  bodyLimitBytes: number;
  maxJsonDepth?: number;
  bodyTimeoutMs?: number;
  heartbeatMs: number;
  /** The gateway's client keys: once any exist, every route but /health requires one. */
  clientKeys: ClientKeys;
  /** True once shutdown began: new requests get 503 SHUTTING_DOWN. */
  isClosing(): boolean;
  /** The Responses API's stored responses; default: embedded, kept DEFAULT_RESPONSE_TTL_MS. */
  responseStore?: ResponseStore;
  /** Each proxied request's audit record, at its end (absent: audit and metrics are off). */
  onRequestEnd?: RequestEnd;
  /** Served on GET /metrics (absent: no such route). */
  metrics?: GatewayMetrics;
  /** Served on GET /v1/gateway/events (absent: no such route). */
  events?: EventHub;
  /** Client-key limits on the shared state store (absent: none are checked). */
  limits?: ClientLimiter;
  /** The dashboard on /dashboard (absent: not served); loaded on its first request. */
  dashboard?: DashboardDeps;
}

/** The deps with the response store filled in (one store shared by every route). */
function withResponseStore(deps: AppDeps): AppDeps & { responseStore: ResponseStore } {
  return {
    ...deps,
    responseStore: deps.responseStore ?? embeddedResponseStore(DEFAULT_RESPONSE_TTL_MS),
  };
}

/**
 * The proxy's HTTP surface as a Node request listener: the proxied POST routes (the OpenAI
 * endpoints, /v1/messages, /v1/messages/count_tokens) are served first, straight from Node's
 * request and response (proxied-routes.ts); everything else goes to the Hono app.
 */
export function createRequestListener(
  given: AppDeps,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  const deps = withResponseStore(given);
  // One pipeline, two doors: both run its steps (request-pipeline.ts).
  const pipeline = new RequestPipeline(deps);
  const proxied = proxiedRoutes({
    routes: proxiedRouteTable(deps),
    pipeline,
    logger: deps.logger,
  });
  // autoCleanupIncoming off: the adapter would add two listeners per request to drain bodies
  // left unread; Node's server already discards an unread body when the response ends, and the
  // one route that stops reading midway (413) closes the connection.
  const app = getRequestListener(createApp(deps, pipeline).fetch, { autoCleanupIncoming: false });
  return (incoming, outgoing) => {
    if (!proxied(incoming, outgoing)) void app(incoming, outgoing);
  };
}

/** The paths of the proxied POST routes, in the order the 404 lists them. */
const PROXIED_POST_PATHS = [
  ...openAIEndpoints.map((e) => e.path),
  responsesEndpoint.path,
  ANTHROPIC_MESSAGES_PATH,
  ANTHROPIC_COUNT_TOKENS_PATH,
];

/** The proxied POST routes by path. */
export function proxiedRouteTable(deps: AppDeps): Map<string, ProxyRoute> {
  const routes = new Map<string, ProxyRoute>();
  for (const endpoint of openAIEndpoints)
    routes.set(endpoint.path, openAIProxyRoute(endpoint, deps));
  routes.set(ANTHROPIC_MESSAGES_PATH, anthropicMessagesRoute(deps));
  routes.set(ANTHROPIC_COUNT_TOKENS_PATH, anthropicCountTokensRoute(deps));
  routes.set(responsesEndpoint.path, responsesRoute(withResponseStore(deps)));
  return routes;
}

/**
 * The Hono app: the model lists, health, 405 on the proxied paths asked with another method
 * than POST, 404 elsewhere. Everything that goes wrong is answered in the format of the API
 * the caller speaks: Anthropic's on /v1/messages*, OpenAI's everywhere else.
 */
export function createApp(
  deps: AppDeps,
  pipeline: RequestPipeline = new RequestPipeline(deps),
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // First: the dashboard makes its own access decision (loopback or the operator key, never a
  // client key; dashboard/access.ts), and its pages, which poll, stay out of the request log.
  if (deps.dashboard !== undefined) mountDashboard(app, deps.dashboard);
  app.use(openAndClose(pipeline));
  app.use(admit(pipeline));

  // POST on these paths never reaches the app (createRequestListener serves it first).
  for (const path of [
    ...openAIEndpoints.map((e) => e.path),
    ANTHROPIC_MESSAGES_PATH,
    ANTHROPIC_COUNT_TOKENS_PATH,
  ]) {
    app.all(path, methodNotAllowed(path, 'POST'));
  }
  const createdAt = Math.floor(Date.now() / 1000);
  const reads: Array<[string, ReturnType<typeof healthRoute>]> = [
    ['/v1/models', modelsRoute(deps.router, createdAt)],
    ['/v1/gateway/models', gatewayModelsRoute(deps.router, deps.backends)],
    ['/health', healthRoute(deps.supervisor)],
  ];
  for (const [path, handler] of reads) {
    app.get(path, handler);
    app.all(path, methodNotAllowed(path, 'GET'));
  }
  const modelById = `${MODEL_BY_ID_PREFIX}*`;
  app.get(modelById, modelByIdRoute(deps.router, createdAt));
  app.all(modelById, methodNotAllowed(`${MODEL_BY_ID_PREFIX}{id}`, 'GET'));

  registerObservabilityRoutes(app, deps);
  registerLimitUsageRoute(app, deps);
  registerDebugHeapRoute(app);
  registerResponsesReadRoutes(app, withResponseStore(deps).responseStore);

  const onError = failOnError(pipeline);
  // Listed on first use, once every route is registered.
  let served: string | undefined;
  app.notFound((c) => {
    served ??= describeRoutes(PROXIED_POST_PATHS, app.routes);
    return onError(
      new GatewayError(
        ErrorCodes.NOT_FOUND,
        `no route for ${c.req.method} ${c.req.path}; the gateway serves ${served}`,
      ),
      c,
    );
  });
  app.onError(onError);

  return app;
}
