import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientFormatFor } from '../api/client-format.js';
import type { ProxyLogger } from '../logging/logger.js';
import type { ProxyRoute } from './proxy-call.js';
import type { RequestPipeline } from './request-pipeline.js';

export interface ProxiedRoutesDeps {
  /** Path to route: the OpenAI endpoints, /v1/messages and /v1/messages/count_tokens. */
  routes: ReadonlyMap<string, ProxyRoute>;
  /** The steps every request goes through (the Hono app runs the same ones). */
  pipeline: RequestPipeline;
  logger: ProxyLogger;
}

/**
 * The proxied POST routes, served straight from Node's request listener: the hot path of the
 * gateway, kept off the web framework (a Request object, its URL parsed, a context and a
 * middleware chain cost about a fifth of the proxy's CPU per request). Each request goes
 * through the same steps as in the Hono app, the request pipeline's (request-pipeline.ts):
 * open (request id and record), admit (shutdown check, client key), the route, fail (the error
 * answer in the caller's format), close (the log line).
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
  const { pipeline } = deps;
  const format = clientFormatFor(path);
  const record = pipeline.open(incoming, outgoing, path, format);
  const audit = pipeline.audit(record, path);
  try {
    const client = pipeline.admit(incoming, outgoing, path, record);
    await route({ incoming, outgoing, record, client, audit });
    record.status ??= outgoing.statusCode;
  } catch (thrown) {
    pipeline.fail(outgoing, record, thrown, format);
  }
  pipeline.close(record, audit);
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
