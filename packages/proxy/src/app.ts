import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom, toOpenAIErrorBody } from '@mlx-gateway/shared';
import type { BackendRegistry } from './backends/backend-registry.js';
import type { Clock } from './clock/clock.js';
import type { Inflight } from './forwarding/inflight.js';
import type { AppEnv } from './http/app-env.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { requestContext } from './http/request-context.js';
import type { ProxyLogger } from './logging/logger.js';
import type { ModelRouter } from './routing/model-router.js';
import { gatewayModelsRoute } from './routes/gateway-models-route.js';
import { healthRoute } from './routes/health-route.js';
import { modelsRoute } from './routes/models-route.js';
import { openAIEndpoints } from './routes/openai-endpoints.js';
import { openAIProxyRoute } from './routes/openai-proxy-route.js';
import type { ModelSupervisor } from './supervisor/model-supervisor.js';

export interface AppDeps {
  router: ModelRouter;
  backends: BackendRegistry;
  supervisor: ModelSupervisor;
  inflight: Inflight;
  clock: Clock;
  logger: ProxyLogger;
  bodyLimitBytes: number;
  heartbeatMs: number;
  /** True once shutdown began: new requests get 503 SHUTTING_DOWN. */
  isClosing(): boolean;
}

/** The proxy's HTTP routes, with OpenAI-format errors for everything that goes wrong. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger } = deps;

  app.use(requestContext(deps.clock, logger));
  app.use(async (c, next) => {
    if (!deps.isClosing()) return next();
    c.header('connection', 'close');
    throw new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the gateway proxy is shutting down');
  });

  for (const endpoint of openAIEndpoints) {
    app.post(endpoint.path, openAIProxyRoute(endpoint, deps));
    app.all(endpoint.path, methodNotAllowed(endpoint.path, 'POST'));
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

  app.notFound((c) => {
    const err = new GatewayError(
      ErrorCodes.NOT_FOUND,
      `no route for ${c.req.method} ${c.req.path}; the gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models`,
    );
    c.get('record').error = err.code;
    return c.json(toOpenAIErrorBody(err), 404);
  });

  app.onError((thrown, c) => {
    const err = errorFrom(thrown);
    const record = c.get('record');
    record.error = err.code;
    if (err.code === ErrorCodes.INTERNAL) {
      logger.error({ err: thrown, reqId: record.reqId }, 'request failed inside the proxy');
    }
    const outgoing = c.env.outgoing;
    if (outgoing.headersSent) {
      // Only a bug gets here: the response was already under way.
      outgoing.destroy();
      return RESPONSE_ALREADY_SENT;
    }
    if (err.code === ErrorCodes.BODY_TOO_LARGE) c.header('connection', 'close');
    return c.json(toOpenAIErrorBody(err), err.status as ContentfulStatusCode);
  });

  return app;
}
