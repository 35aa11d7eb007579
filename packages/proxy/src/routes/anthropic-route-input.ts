import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import type { ProxyCall } from '../http/proxy-call.js';
import { planTargets } from './plan-targets.js';
import type { ProxyRouteDeps } from './route-deps.js';
import { readRoutedRequest } from './routed-request.js';
import type { RoutedRequest } from './routed-request.js';

/** A checked Anthropic-format request and the targets it will try. */
export interface AnthropicRouteInput {
  routed: RoutedRequest;
  /** The fallback chain, each target with the backend that serves Anthropic-format requests. */
  plan: PlannedTarget[];
}

/**
 * Reads and checks the body (within the limit), resolves the model exactly as the OpenAI
 * routes do (same router, fallbacks and capability checks) and picks, per target, the backend
 * for Anthropic-format requests. Undefined when the client left while sending its body.
 * Errors are thrown to the caller, which answers them in Anthropic's format.
 */
export async function readAnthropicInput(
  call: ProxyCall,
  endpoint: ApiEndpoint,
  deps: ProxyRouteDeps,
): Promise<AnthropicRouteInput | undefined> {
  const routed = await readRoutedRequest(call, endpoint, deps);
  if (routed === undefined) return undefined;
  const plan: PlannedTarget[] = [];
  for (const step of planTargets(routed.resolution, endpoint, routed.request, deps.backends)) {
    const backend = deps.backends.forAnthropicClients(step.target);
    if (backend !== undefined) plan.push({ ...step, backend });
  }
  return { routed, plan };
}
