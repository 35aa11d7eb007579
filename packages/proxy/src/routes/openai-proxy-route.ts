import type { BackendRegistry } from '../backends/backend-registry.js';
import type { BackendRequest } from '../backends/backend.js';
import type { Clock } from '../clock/clock.js';
import { ProxyExchange } from '../forwarding/exchange.js';
import type { Inflight } from '../forwarding/inflight.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { ModelRouter } from '../routing/model-router.js';
import type { Target } from '../routing/target.js';
import type { OpenAIEndpoint } from './openai-endpoints.js';
import { planTargets } from './plan-targets.js';
import { readRoutedRequest } from './routed-request.js';

export interface ProxyRouteDeps {
  router: ModelRouter;
  backends: BackendRegistry;
  inflight: Inflight;
  clock: Clock;
  logger: ProxyLogger;
  bodyLimitBytes: number;
  /** Deepest nesting a request body may have (default DEFAULT_MAX_JSON_DEPTH). */
  maxJsonDepth?: number;
  /** Longest the body of a request may take to arrive (no limit when absent). */
  bodyTimeoutMs?: number;
  heartbeatMs: number;
}

/**
 * POST handler of an OpenAI endpoint: reads the body (within the limit), checks it, resolves
 * the model to its fallback chain and relays the upstream response straight onto Node's
 * response (streamed or not), bypassing Web streams. Errors before the exchange starts are
 * thrown to the caller (proxied-routes.ts), which answers them; the exchange answers its own.
 */
export function openAIProxyRoute(endpoint: OpenAIEndpoint, deps: ProxyRouteDeps): ProxyRoute {
  return async (call) => {
    const { outgoing, record } = call;
    const routed = await readRoutedRequest(call, endpoint, deps);
    if (routed === undefined) return;
    const { request, rawBody, resolution } = routed;
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
      clientHeaders: call.incoming.headers,
      reqId: record.reqId,
    });
    await deps.inflight.track(exchange, exchange.run(plan, requestFor));
  };
}
