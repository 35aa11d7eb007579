import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { ApiRequest } from '../api/api-request.js';
import { clientFormatFor } from '../api/client-format.js';
import { parseJsonObject } from '../api/parse-json-object.js';
import { authorizeModel } from '../auth/authorize-model.js';
import type { BackendRequest } from '../backends/backend.js';
import type { ProxyCall } from '../http/proxy-call.js';
import { ClientAbortedError, readBody } from '../http/read-body.js';
import { FallbackLimits } from '../limits/fallback-limits.js';
import { reserveTokens } from '../limits/reserve-tokens.js';
import type { Resolution, Target } from '../routing/target.js';
import type { ProxyRouteDeps } from './route-deps.js';

/** A checked request and what its model resolved to. */
export interface RoutedRequest {
  request: ApiRequest;
  /** The body as received (forwarded as is where the model id need not change). */
  rawBody: Buffer;
  resolution: Resolution;
  /** The request as the backend of one target of the chain gets it. */
  requestFor(target: Target): BackendRequest;
}

/**
 * The first steps every proxied route shares: read the body within the limit, check it,
 * record model and stream, resolve the model and check the client may use it. Undefined when
 * the client left while sending its body (recorded as 499). Errors are thrown to the caller
 * (proxied-routes.ts), which answers in the caller's format.
 */
export async function readRoutedRequest(
  call: ProxyCall,
  endpoint: ApiEndpoint,
  deps: ProxyRouteDeps,
): Promise<RoutedRequest | undefined> {
  const { record } = call;
  let rawBody: Buffer;
  try {
    rawBody = await readBody(
      call.incoming,
      deps.bodyLimitBytes,
      deps.bodyTimeoutMs === undefined ? undefined : { clock: deps.clock, ms: deps.bodyTimeoutMs },
    );
  } catch (err) {
    if (!(err instanceof ClientAbortedError)) throw err;
    record.clientClosed = true;
    record.status = 499;
    return undefined;
  }
  call.audit?.addBytesIn(rawBody.length);
  const request = endpoint.read(parseJsonObject(rawBody, deps.maxJsonDepth));
  record.model = request.model;
  record.stream = request.stream;
  const resolution = deps.router.resolve(request.model);
  authorizeModel(call.client, request.model, resolution);
  if (resolution === undefined) throw deps.router.notFound(request.model);
  if (call.audit !== undefined && deps.capture !== undefined) {
    const capture =
      deps.capture.captureFor(request.model, call.client?.name) ??
      deps.capture.captureFor(resolution.targets[0]?.name, undefined);
    capture?.requestBody(rawBody);
    call.audit.setCapture(capture);
  }
  // Client-key and model limits (limits/): counted now, settled when the answer is over.
  const model = resolution.targets[0]?.model;
  if (deps.limits !== undefined && (call.client?.limits ?? model?.limits) !== undefined) {
    const admitted = deps.limits.admit(
      call.client,
      reserveTokens(request, rawBody.length),
      call.outgoing,
      clientFormatFor(record.path),
      model,
    );
    // Awaited only on Redis: on the embedded store a check is synchronous (no microtask).
    const ticket = admitted instanceof Promise ? await admitted : admitted;
    // Tokens reserved from max_tokens are settled from the upstream's usage (the audit record's).
    // 'close' comes once per response, and a second settle is a no-op: no `once` wrapper.
    // A fallback served by another model answered: the first model keeps its reservation.
    const { audit } = call;
    const first = resolution.targets[0]?.name;
    if (ticket !== undefined) {
      call.outgoing.on('close', () => {
        const target = audit?.currentTarget;
        void ticket.settle(audit?.usedTokens, target === undefined || target === first);
      });
    }
  }
  // A fallback served by another model with limits of its own is counted when it is tried.
  if (deps.limits !== undefined && FallbackLimits.needed(resolution)) {
    call.fallbackLimits = new FallbackLimits({
      limiter: deps.limits,
      resolution,
      reserve: reserveTokens(request, rawBody.length),
      res: call.outgoing,
      format: clientFormatFor(record.path),
      usage: call.audit,
    });
  }
  return {
    request,
    rawBody,
    resolution,
    requestFor: (target) => ({
      target,
      endpoint,
      request,
      rawBody,
      clientHeaders: call.incoming.headers,
      reqId: record.reqId,
      askUsage: call.audit !== undefined,
    }),
  };
}
