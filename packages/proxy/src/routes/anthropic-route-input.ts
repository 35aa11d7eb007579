import type { BackendRequest } from '../backends/backend.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import type { ProxyCall } from '../http/proxy-call.js';
import type { RequestRecord } from '../logging/request-record.js';
import type { Target } from '../routing/target.js';
import type { AnthropicRequest } from './anthropic-request.js';
import type { OpenAIEndpoint } from './openai-endpoints.js';
import type { ProxyRouteDeps } from './openai-proxy-route.js';
import { planTargets } from './plan-targets.js';
import { readRoutedRequest } from './routed-request.js';

/** A checked Anthropic-format request and the targets it will try. */
export interface AnthropicRouteInput {
  request: AnthropicRequest;
  record: RequestRecord;
  /** The fallback chain, each target with the backend that serves Anthropic-format requests. */
  plan: PlannedTarget[];
  requestFor(target: Target): BackendRequest;
}

/**
 * Reads and checks the body (within the limit), resolves the model exactly as the OpenAI
 * routes do (same router, fallbacks and capability checks) and picks, per target, the backend
 * for Anthropic-format requests. Undefined when the client left while sending its body.
 * Errors are thrown to the caller, which answers them in Anthropic's format.
 */
export async function readAnthropicInput(
  call: ProxyCall,
  endpoint: OpenAIEndpoint,
  deps: ProxyRouteDeps,
): Promise<AnthropicRouteInput | undefined> {
  const { record } = call;
  const routed = await readRoutedRequest(call, endpoint, deps);
  if (routed === undefined) return undefined;
  const request = routed.request as AnthropicRequest;
  const { rawBody, resolution } = routed;
  const plan: PlannedTarget[] = [];
  for (const step of planTargets(resolution, endpoint, request, deps.backends)) {
    const backend = deps.backends.forAnthropicClients(step.target);
    if (backend !== undefined) plan.push({ ...step, backend });
  }
  return {
    request,
    record,
    plan,
    requestFor: (target) => ({
      target,
      endpoint,
      request,
      rawBody,
      clientHeaders: call.incoming.headers,
      reqId: record.reqId,
    }),
  };
}
