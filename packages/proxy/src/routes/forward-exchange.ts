import type { ClientFormat } from '../api/client-format.js';
import type { BackendRequest } from '../backends/backend.js';
import { ProxyExchange } from '../forwarding/exchange.js';
import type { PlannedTarget } from '../forwarding/exchange.js';
import type { ProxyCall } from '../http/proxy-call.js';
import type { Target } from '../routing/target.js';
import type { ProxyRouteDeps } from './route-deps.js';

/**
 * The last step of every proxied route: the exchange that tries the planned targets in order
 * and relays the answer onto the client's response (streamed or not, in the client's format),
 * counted as in flight until it settles so that a shutdown can wait for it.
 */
export function forwardExchange(
  call: ProxyCall,
  deps: ProxyRouteDeps,
  stream: boolean,
  format: ClientFormat,
  plan: readonly PlannedTarget[],
  requestFor: (target: Target) => BackendRequest,
): Promise<void> {
  const { record } = call;
  const exchange = new ProxyExchange({
    res: call.outgoing,
    reqId: record.reqId,
    stream,
    clock: deps.clock,
    heartbeatMs: deps.heartbeatMs,
    logger: deps.logger,
    record,
    format,
    audit: call.audit,
    limits: call.fallbackLimits,
  });
  return deps.inflight.track(exchange, exchange.run(plan, requestFor));
}
