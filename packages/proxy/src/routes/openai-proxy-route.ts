import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Handler } from 'hono';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { BackendRequest } from '../backends/backend.js';
import type { Clock } from '../clock/clock.js';
import { ProxyExchange } from '../forwarding/exchange.js';
import type { Inflight } from '../forwarding/inflight.js';
import { authorizeModel } from '../auth/authorize-model.js';
import type { AppEnv } from '../http/app-env.js';
import { parseJsonObject } from '../http/parse-json-object.js';
import { ClientAbortedError, readBody } from '../http/read-body.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { ModelRouter } from '../routing/model-router.js';
import type { Target } from '../routing/target.js';
import type { OpenAIEndpoint } from './openai-endpoints.js';
import { planTargets } from './plan-targets.js';

export interface ProxyRouteDeps {
  router: ModelRouter;
  backends: BackendRegistry;
  inflight: Inflight;
  clock: Clock;
  logger: ProxyLogger;
  bodyLimitBytes: number;
  heartbeatMs: number;
}

/**
 * POST handler of an OpenAI endpoint: reads the body (within the limit), checks it, resolves
 * the model to its fallback chain and relays the upstream response straight onto Node's
 * response (streamed or not), bypassing Web streams. Errors before the exchange starts are
 * thrown to the app's error handler; the exchange answers its own.
 */
export function openAIProxyRoute(endpoint: OpenAIEndpoint, deps: ProxyRouteDeps): Handler<AppEnv> {
  return async (c) => {
    const { incoming, outgoing } = c.env;
    const record = c.get('record');
    let rawBody: Buffer;
    try {
      rawBody = await readBody(incoming, deps.bodyLimitBytes);
    } catch (err) {
      if (!(err instanceof ClientAbortedError)) throw err;
      record.clientClosed = true;
      record.status = 499;
      return RESPONSE_ALREADY_SENT;
    }
    const request = endpoint.read(parseJsonObject(rawBody));
    record.model = request.model;
    record.stream = request.stream;
    const resolution = deps.router.resolve(request.model);
    authorizeModel(c.get('client'), request.model, resolution);
    if (resolution === undefined) throw deps.router.notFound(request.model);
    const plan = planTargets(resolution, endpoint, request, deps.backends);

    const exchange = new ProxyExchange({
      res: outgoing,
      reqId: record.reqId,
      stream: request.stream,
      clock: deps.clock,
      heartbeatMs: deps.heartbeatMs,
      logger: deps.logger,
      record,
    });
    const requestFor = (target: Target): BackendRequest => ({
      target,
      endpoint,
      request,
      rawBody,
      clientHeaders: incoming.headers,
      reqId: record.reqId,
    });
    await deps.inflight.track(exchange, exchange.run(plan, requestFor));
    return RESPONSE_ALREADY_SENT;
  };
}
