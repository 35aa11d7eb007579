import { anthropicClientFormat } from '../api/client-format.js';
import { anthropicMessagesEndpoint } from '../api/anthropic-endpoints.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import { readAnthropicInput } from './anthropic-route-input.js';
import { forwardExchange } from './forward-exchange.js';
import type { ProxyRouteDeps } from './route-deps.js';

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
    const { routed, plan } = input;
    await forwardExchange(
      call,
      deps,
      routed.request.stream,
      anthropicClientFormat,
      plan,
      routed.requestFor,
    );
  };
}
