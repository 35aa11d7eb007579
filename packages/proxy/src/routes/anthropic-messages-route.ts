import { anthropicClientFormat } from '../forwarding/client-format.js';
import { ProxyExchange } from '../forwarding/exchange.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import { anthropicMessagesEndpoint } from './anthropic-endpoints.js';
import { readAnthropicInput } from './anthropic-route-input.js';
import type { ProxyRouteDeps } from './openai-proxy-route.js';

/**
 * POST /v1/messages: the Anthropic Messages API. Routed by `model` like the OpenAI routes
 * (fallbacks, failover, leases, timeouts, client aborts); Anthropic targets get the request as
 * it is, OpenAI-speaking ones a translation, and the answer comes back as an Anthropic message
 * or event stream. Everything the proxy says itself (errors, heartbeats, the event that ends a
 * failed stream) is in Anthropic's format too.
 */
export function anthropicMessagesRoute(deps: ProxyRouteDeps): ProxyRoute {
  return async (call) => {
    const input = await readAnthropicInput(call, anthropicMessagesEndpoint, deps);
    if (input === undefined) return;
    const { request, record } = input;
    const exchange = new ProxyExchange({
      res: call.outgoing,
      reqId: record.reqId,
      stream: request.stream,
      clock: deps.clock,
      heartbeatMs: deps.heartbeatMs,
      logger: deps.logger,
      record,
      format: anthropicClientFormat,
    });
    await deps.inflight.track(exchange, exchange.run(input.plan, input.requestFor));
  };
}
