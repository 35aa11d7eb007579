import { openAIClientFormat } from '../api/client-format.js';
import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { ProxyRoute } from '../http/proxy-call.js';
import { forwardExchange } from './forward-exchange.js';
import { planTargets } from './plan-targets.js';
import type { ProxyRouteDeps } from './route-deps.js';
import { readRoutedRequest } from './routed-request.js';

/**
 * POST handler of an OpenAI endpoint: reads the body (within the limit), checks it, resolves
 * the model to its fallback chain and relays the upstream response straight onto Node's
 * response (streamed or not), bypassing Web streams. Errors before the exchange starts are
 * thrown to the caller (proxied-routes.ts), which answers them; the exchange answers its own.
 */
export function openAIProxyRoute(endpoint: ApiEndpoint, deps: ProxyRouteDeps): ProxyRoute {
  return async (call) => {
    const routed = await readRoutedRequest(call, endpoint, deps);
    if (routed === undefined) return;
    const { request } = routed;
    const plan = planTargets(routed.resolution, endpoint, request, deps.backends);
    await forwardExchange(call, deps, request.stream, openAIClientFormat, plan, routed.requestFor);
  };
}
