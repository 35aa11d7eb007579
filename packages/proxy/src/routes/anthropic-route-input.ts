import { DROPPED_FIELDS_HEADER } from '../api/dropped-fields.js';
import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import type { ProxyCall } from '../http/proxy-call.js';
import { ANTHROPIC_MESSAGES_PATH } from '../api/anthropic-paths.js';
import type { ApiRequest } from '../api/api-request.js';
import { loadTranslators, loadedTranslators } from '../translate/load-translators.js';
import type { Translators } from '../translate/load-translators.js';
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
  if (endpoint.path !== ANTHROPIC_MESSAGES_PATH) return { routed, plan };
  // A chain with a target that translates loads the translators now (the first such request
  // only): naming the dropped fields needs them before its attempt starts.
  const translators = plan.some((step) => !deps.backends.speaksAnthropic(step.target))
    ? (loadedTranslators() ?? (await loadTranslators()))
    : undefined;
  const backendRequest = routed.requestFor;
  let dropped: string[] | undefined;
  const requestFor: RoutedRequest['requestFor'] = (target) => {
    const translated = translators !== undefined && !deps.backends.speaksAnthropic(target);
    dropped = translated ? (dropped ?? droppedFor(translators, routed.request, call)) : [];
    noteDropped(call, dropped);
    return backendRequest(target);
  };
  return { routed: { ...routed, requestFor }, plan };
}

/** What a translation for an OpenAI-compatible backend leaves out, beta features included. */
function droppedFor(translators: Translators, request: ApiRequest, call: ProxyCall): string[] {
  const fields = translators.droppedAnthropicFields(request.body);
  const betas = call.incoming.headers['anthropic-beta'];
  return betas === undefined || betas === '' ? fields : [...fields, 'anthropic-beta'];
}

/**
 * Names, for the target being tried, the request fields its backend does not get (hints a
 * translation leaves out, unknown fields): in a response header and in the request log. Set
 * per attempt, so that after a failover the answer names what its own target dropped.
 */
function noteDropped(call: ProxyCall, fields: readonly string[]): void {
  if (fields.length === 0) {
    call.record.droppedFields = undefined;
    if (!call.outgoing.headersSent) call.outgoing.removeHeader(DROPPED_FIELDS_HEADER);
    return;
  }
  const value = fields.join(', ');
  call.record.droppedFields = value;
  if (!call.outgoing.headersSent) call.outgoing.setHeader(DROPPED_FIELDS_HEADER, value);
}
