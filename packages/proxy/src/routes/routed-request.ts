import { authorizeModel } from '../auth/authorize-model.js';
import { parseJsonObject } from '../http/parse-json-object.js';
import type { ProxyCall } from '../http/proxy-call.js';
import { ClientAbortedError, readBody } from '../http/read-body.js';
import type { Resolution } from '../routing/target.js';
import type { OpenAIEndpoint } from './openai-endpoints.js';
import type { OpenAIRequest } from './openai-request.js';
import type { ProxyRouteDeps } from './openai-proxy-route.js';

/** A checked request and what its model resolved to. */
export interface RoutedRequest {
  request: OpenAIRequest;
  /** The body as received (forwarded as is where the model id need not change). */
  rawBody: Buffer;
  resolution: Resolution;
}

/**
 * The first steps every proxied route shares: read the body within the limit, check it,
 * record model and stream, resolve the model and check the client may use it. Undefined when
 * the client left while sending its body (recorded as 499). Errors are thrown to the caller
 * (proxied-routes.ts), which answers in the caller's format.
 */
export async function readRoutedRequest(
  call: ProxyCall,
  endpoint: OpenAIEndpoint,
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
  const request = endpoint.read(parseJsonObject(rawBody, deps.maxJsonDepth));
  record.model = request.model;
  record.stream = request.stream;
  const resolution = deps.router.resolve(request.model);
  authorizeModel(call.client, request.model, resolution);
  if (resolution === undefined) throw deps.router.notFound(request.model);
  return { request, rawBody, resolution };
}
