import type { BackendRequest } from '../backends/backend.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import { ProxyExchange } from '../forwarding/exchange.js';
import { ResponsesInboundBackend } from '../backends/responses-inbound-backend.js';
import { ResponsesSession } from '../backends/transforms/responses-session.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import type { ResponseStore } from '../state/response-store.js';
import type { Target } from '../routing/target.js';
import { loadTranslators, loadedTranslators } from '../translate/load-translators.js';
import type { ResponsesRequest, ResponsesResponse } from '../translate/responses/types.js';
import type { ProxyRouteDeps } from './route-deps.js';
import { planTargets } from './plan-targets.js';
import { continueConversation } from './responses-conversation.js';
import { responsesEndpoint } from '../api/responses-endpoints.js';
import { readRoutedRequest } from './routed-request.js';

export interface ResponsesRouteDeps extends ProxyRouteDeps {
  responseStore: ResponseStore;
}

/** OpenAI's own API serves the Responses API itself: requests to it are passed through. */
function speaksResponses(target: Target): boolean {
  return target.model.kind === 'remote' && target.model.backend === 'openai';
}

/**
 * POST /v1/responses: the Responses API (Codex CLI, the Agents SDK, the Vercel AI SDK's default
 * OpenAI provider). Routed by `model` like every route (fallbacks, failover, leases, timeouts);
 * OpenAI targets get the request as it is, every other backend a chat completion request, and
 * the answer comes back as a response object or the typed event stream. With `store` (the
 * default), translated responses are kept so that `previous_response_id` continues them.
 */
export function responsesRoute(deps: ResponsesRouteDeps): ProxyRoute {
  return async (call) => {
    const { record } = call;
    const routed = await readRoutedRequest(call, responsesEndpoint, deps);
    if (routed === undefined) return;
    const { request, resolution } = routed;
    // Every Responses request needs them (the response id and failure events, even when passed
    // through): loaded by the first one, then at hand without a wait.
    const translators = loadedTranslators() ?? (await loadTranslators());
    const client = request.body as ResponsesRequest;
    const primary = resolution.targets[0];
    const conversation = await continueConversation(
      client,
      deps.responseStore,
      primary !== undefined && speaksResponses(primary),
      call.client?.name,
    );
    const rawBody = conversation.expanded
      ? Buffer.from(JSON.stringify(conversation.body))
      : routed.rawBody;
    const forward = { ...request, body: conversation.body as Record<string, unknown> };

    const store = client.store !== false;
    const session = new ResponsesSession(
      translators,
      {
        id: translators.newResponseId(),
        model: request.model,
        createdAt: Math.floor(Date.now() / 1000),
        request: client,
      },
      call.outgoing,
      (response: ResponsesResponse) => {
        if (!store) return;
        const owner = call.client?.name;
        const stored = { response, input: conversation.input, ...(owner ? { owner } : {}) };
        deps.responseStore.put(stored).catch((err: unknown) => {
          deps.logger.error({ err, reqId: record.reqId }, 'storing a response failed');
        });
      },
      (target, dropped) => {
        deps.logger.info(
          { reqId: record.reqId, target, dropped },
          'responses: fields the backend cannot take were dropped',
        );
      },
    );
    const plan: PlannedTarget[] = planTargets(
      resolution,
      responsesEndpoint,
      forward,
      deps.backends,
    ).map((step) =>
      speaksResponses(step.target)
        ? step
        : { ...step, backend: new ResponsesInboundBackend(step.backend, session) },
    );
    const exchange = new ProxyExchange({
      res: call.outgoing,
      reqId: record.reqId,
      stream: request.stream,
      clock: deps.clock,
      heartbeatMs: deps.heartbeatMs,
      logger: deps.logger,
      record,
      format: session.format(),
      audit: call.audit,
      limits: call.fallbackLimits,
    });
    const requestFor = (target: Target): BackendRequest => ({
      target,
      endpoint: responsesEndpoint,
      request: forward,
      rawBody,
      clientHeaders: call.incoming.headers,
      reqId: record.reqId,
      askUsage: call.audit !== undefined,
    });
    await deps.inflight.track(exchange, exchange.run(plan, requestFor));
  };
}
