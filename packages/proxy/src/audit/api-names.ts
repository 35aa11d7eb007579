import { AUDIT_APIS } from './audit-record.js';

/**
 * The audit names of the routes the proxy's web app serves (everything but the proxied POST
 * routes, which AUDIT_APIS names): a record's `api` and the metrics' `api` label. A path the
 * gateway does not serve is `unknown`: a client can never add a name (nor a metric series).
 */
export const GATEWAY_APIS: Readonly<Record<string, string>> = {
  '/v1/models': 'openai.models',
  '/v1/gateway/models': 'gateway.models',
  '/v1/gateway/events': 'gateway.events',
  '/v1/gateway/limits': 'gateway.limits',
  '/health': 'gateway.health',
  '/metrics': 'gateway.metrics',
  '/debug/heap': 'gateway.debug_heap',
};

/** Routes with an id in their path, by prefix, then by method. */
const BY_ID: ReadonlyArray<
  [prefix: string, byMethod: Readonly<Record<string, string>>, other: string]
> = [
  ['/v1/models/', { GET: 'openai.models.retrieve' }, 'openai.models.retrieve'],
  [
    '/v1/responses/',
    { GET: 'openai.responses.retrieve', DELETE: 'openai.responses.delete' },
    'openai.responses.retrieve',
  ],
];

/**
 * The audit name of a request the web app answers: a proxied path asked with another method
 * (its 405) keeps its API's name; a model or stored response by id is named by method.
 */
export function apiOfRequest(method: string, path: string): string {
  const named = AUDIT_APIS[path] ?? GATEWAY_APIS[path];
  if (named !== undefined) return named;
  for (const [prefix, byMethod, other] of BY_ID) {
    if (path.startsWith(prefix) && path.length > prefix.length) return byMethod[method] ?? other;
  }
  return 'unknown';
}

/**
 * Monitoring routes whose successful answers get no record (nor a count in the request
 * series): a load balancer's health checks and Prometheus's scrapes would otherwise fill the
 * activity of the gateway. A refused or failed one is recorded like any request.
 */
export const MONITORING_PATHS: ReadonlySet<string> = new Set(['/health', '/metrics']);
