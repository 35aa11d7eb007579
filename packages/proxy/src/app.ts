import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared';
import { clientAuth } from './auth/client-auth.js';
import type { ClientKeys } from './auth/client-keys.js';
import type { BackendRegistry } from './backends/backend-registry.js';
import type { Clock } from './clock/clock.js';
import { clientFormatFor } from './forwarding/client-format.js';
import type { Inflight } from './forwarding/inflight.js';
import type { AppEnv } from './http/app-env.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { requestContext } from './http/request-context.js';
import type { ProxyLogger } from './logging/logger.js';
import type { ModelRouter } from './routing/model-router.js';
import { anthropicCountTokensRoute } from './routes/anthropic-count-tokens-route.js';
import { anthropicMessagesRoute } from './routes/anthropic-messages-route.js';
import {
  ANTHROPIC_COUNT_TOKENS_PATH,
  ANTHROPIC_MESSAGES_PATH,
  isAnthropicApiPath,
} from './routes/anthropic-paths.js';
import { gatewayModelsRoute } from './routes/gateway-models-route.js';
import { registerDebugHeapRoute } from './routes/debug-heap-route.js';
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
  /** The gateway's client keys: once any exist, every route but /health requires one. */
  clientKeys: ClientKeys;
  /** True once shutdown began: new requests get 503 SHUTTING_DOWN. */
  isClosing(): boolean;
}

/**
 * The proxy's HTTP routes. Everything that goes wrong is answered in the format of the API the
 * caller speaks: Anthropic's on /v1/messages*, OpenAI's everywhere else.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger } = deps;

  // The middlewares that only look and pass on are plain functions returning next(): one
  // promise fewer per layer and request than an async function.
  app.use(requestContext(deps.clock, logger));
  app.use((c, next) => {
    // Anthropic's SDKs read the request id from `request-id`; set on the socket so that every
    // answer carries it, whoever writes it.
    if (isAnthropicApiPath(c.req.path)) {
      c.env.outgoing.setHeader('request-id', c.get('record').reqId);
    }
    return next();
  });
  app.use((c, next) => {
    if (!deps.isClosing()) return next();
    c.header('connection', 'close');
    throw new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the gateway proxy is shutting down');
  });
  app.use(clientAuth(deps.clientKeys));

  for (const endpoint of openAIEndpoints) {
    app.post(endpoint.path, openAIProxyRoute(endpoint, deps));
    app.all(endpoint.path, methodNotAllowed(endpoint.path, 'POST'));
  }
  const anthropicRoutes: Array<[string, ReturnType<typeof anthropicMessagesRoute>]> = [
    [ANTHROPIC_MESSAGES_PATH, anthropicMessagesRoute(deps)],
    [ANTHROPIC_COUNT_TOKENS_PATH, anthropicCountTokensRoute(deps)],
  ];
  for (const [path, handler] of anthropicRoutes) {
    app.post(path, handler);
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

  registerDebugHeapRoute(app);

  app.notFound((c) => {
    const err = new GatewayError(
      ErrorCodes.NOT_FOUND,
      `no route for ${c.req.method} ${c.req.path}; the gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages, /v1/messages/count_tokens and /v1/models`,
    );
    const record = c.get('record');
    record.error = err.code;
    return c.json(clientFormatFor(c.req.path).errorBody(err, record.reqId), 404);
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
    const format = clientFormatFor(c.req.path);
    return c.json(format.errorBody(err, record.reqId), err.status as ContentfulStatusCode);
  });

  return app;
}
