import type { Context, Hono } from 'hono';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { extractPresentedKey } from '@mlx-gateway/shared/clients';
import type { ClientLimits, LimitUsage, LimitedScope } from '@mlx-gateway/shared/clients';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ClientKeys } from '../auth/client-keys.js';
import { isLoopbackAddress } from '../auth/loopback-caller.js';
import { sameSecret } from '../auth/same-secret.js';
import type { AppEnv } from '../http/app-env.js';
import { methodNotAllowed } from '../http/method-not-allowed.js';
import type { ClientLimiter } from '../limits/client-limiter.js';
import type { ModelRouter } from '../routing/model-router.js';

export const LIMIT_USAGE_PATH = '/v1/gateway/limits';

/** What the report reads (the app's deps have all of it). */
export interface LimitUsageDeps {
  limits?: ClientLimiter;
  router: ModelRouter;
  clientKeys: ClientKeys;
  /** The operator key, which opens the report from elsewhere than loopback (the dashboard's). */
  dashboard?: { operatorKey(): Promise<string | undefined> };
}

/** One limited client key or model in the report. */
export interface ScopeUsage {
  name: string;
  limits: ClientLimits;
  usage: LimitUsage;
}

/** The body of GET /v1/gateway/limits. */
export interface LimitUsageBody {
  object: 'gateway.limits';
  /** When the counts were read (ISO 8601). */
  at: string;
  /** Where: this proxy's memory (`embedded`) or the shared Redis (`redis`). */
  store: 'embedded' | 'redis';
  clients: ScopeUsage[];
  models: ScopeUsage[];
}

/**
 * GET /v1/gateway/limits: every client key and every model that has limits, with its usage
 * against each (requests and tokens this minute, requests in flight, the budget's day or
 * month), as this proxy's limiter counts them. With the embedded store the counts exist only
 * in the proxy's memory, so this is where `mlx-gateway keys list-clients` reads them.
 *
 * The operator's route: a loopback caller, or one presenting the operator key
 * (`Authorization: Bearer …`); never a client key. Anyone else gets 404, as for /metrics.
 */
export function registerLimitUsageRoute(app: Hono<AppEnv>, deps: LimitUsageDeps): void {
  const { limits } = deps;
  if (limits === undefined) return;
  app.get(LIMIT_USAGE_PATH, async (c) => {
    if (!(await operator(c, deps))) return c.notFound();
    const clients = deps.clientKeys
      .identities()
      .flatMap((client) =>
        client.limits === undefined
          ? []
          : [{ kind: 'client' as const, name: client.name, limits: client.limits }],
      );
    const models = deps.router.models.flatMap((model) =>
      model.limits === undefined
        ? []
        : [{ kind: 'model' as const, name: model.name, limits: model.limits }],
    );
    const scopes: LimitedScope[] = [...clients, ...models];
    let report;
    try {
      report = await limits.usage(scopes);
    } catch {
      throw new GatewayError(
        ErrorCodes.STATE_UNAVAILABLE,
        'the limit counters cannot be read: the state store (state.redis) is unreachable; try again shortly',
      );
    }
    const entry = (scope: LimitedScope, i: number): ScopeUsage => ({
      name: scope.name,
      limits: scope.limits,
      usage: report.usage[i]!,
    });
    const body: LimitUsageBody = {
      object: 'gateway.limits',
      at: new Date(report.at).toISOString(),
      store: report.store,
      clients: clients.map((scope, i) => entry(scope, i)),
      models: models.map((scope, i) => entry(scope, clients.length + i)),
    };
    return c.json(body);
  });
  app.all(LIMIT_USAGE_PATH, methodNotAllowed(LIMIT_USAGE_PATH, 'GET'));
}

/** A loopback caller, or one presenting the operator key (compared in constant time). */
async function operator(c: Context<AppEnv>, deps: LimitUsageDeps): Promise<boolean> {
  if (isLoopbackAddress(c.env.incoming.socket.remoteAddress)) return true;
  const presented = extractPresentedKey(c.req.raw.headers);
  if (presented === undefined) return false;
  const key = await deps.dashboard?.operatorKey().catch(() => undefined);
  if (key === undefined) return false;
  return sameSecret(presented, key);
}
