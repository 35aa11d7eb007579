import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../auth/client-auth.js';
import type { ClientKeys } from '../auth/client-keys.js';
import type { Clock } from '../clock/clock.js';
import { clientFormatFor } from '../forwarding/client-format.js';
import type { ProxyLogger } from '../logging/logger.js';
import { failRequest, shuttingDown } from './fail-request.js';
import type { ProxyRoute } from './proxy-call.js';
import { beginRequest, endRequest } from './request-context.js';

export interface ProxiedRoutesDeps {
  /** Path to route: the OpenAI endpoints, /v1/messages and /v1/messages/count_tokens. */
  routes: ReadonlyMap<string, ProxyRoute>;
  clientKeys: ClientKeys;
  clock: Clock;
  logger: ProxyLogger;
  /** True once shutdown began: new requests get 503 SHUTTING_DOWN. */
  isClosing(): boolean;
}

/**
 * The proxied POST routes, served straight from Node's request listener: the hot path of the
 * gateway, kept off the web framework (a Request object, its URL parsed, a context and a
 * middleware chain cost about a fifth of the proxy's CPU per request). Each request goes
 * through the same steps as in the Hono app, with the same shared functions: request id and
 * record, Anthropic's `request-id` header, the shutdown check, the client key, the route, the
 * error answer in the caller's format, the log line.
 *
 * Returns a listener that takes a request and returns true, or leaves it (false) to the Hono
 * app: other methods (405), other paths, and everything the app serves.
 */
export function proxiedRoutes(
  deps: ProxiedRoutesDeps,
): (incoming: IncomingMessage, outgoing: ServerResponse) => boolean {
  return (incoming, outgoing) => {
    if (incoming.method !== 'POST') return false;
    const path = pathOf(incoming.url ?? '');
    const route = deps.routes.get(path);
    if (route === undefined) return false;
    serve(route, path, incoming, outgoing, deps).catch((err: unknown) => {
      // Only a bug gets here (the answer and the log line are written above).
      deps.logger.error({ err, path }, 'proxied route failed');
      outgoing.destroy();
    });
    return true;
  };
}

async function serve(
  route: ProxyRoute,
  path: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  deps: ProxiedRoutesDeps,
): Promise<void> {
  const record = beginRequest(incoming, path, deps.clock);
  const format = clientFormatFor(path);
  // Anthropic's SDKs read the request id from `request-id`: on the socket, so that every
  // answer carries it, whoever writes it.
  if (format.name === 'anthropic') outgoing.setHeader('request-id', record.reqId);
  try {
    if (deps.isClosing()) throw shuttingDown(outgoing);
    const client = authenticate(deps.clientKeys, incoming.headers, path);
    if (client !== undefined) record.client = client.name;
    await route({ incoming, outgoing, record, client });
    record.status ??= outgoing.statusCode;
  } catch (thrown) {
    failRequest(outgoing, record, thrown, format, deps.logger);
  }
  endRequest(deps.logger, record, deps.clock);
}

/** The path of a request target, without its query, decoded as Hono's router decodes it. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!path.includes('%')) return path;
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}
