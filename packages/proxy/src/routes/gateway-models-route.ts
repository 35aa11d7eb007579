import type { Handler } from 'hono';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { AppEnv } from '../http/app-env.js';
import type { ModelRouter } from '../routing/model-router.js';

/**
 * GET /v1/gateway/models: every configured model with its backend, aliases, fallbacks and
 * capabilities, and for local models the supervisor's current state, pid and port; then the
 * providers and the routing table (prefixes, built-in ones included, and regex rules). Remote
 * base URLs and key references are left out.
 *
 * This is the operator's view: once the gateway has client keys, no client key opens it (a
 * key limited to one model would learn every other model, provider and rule); without keys
 * the gateway listens on loopback only, where whoever calls is the operator.
 */
export function gatewayModelsRoute(
  router: ModelRouter,
  backends: BackendRegistry,
): Handler<AppEnv> {
  const providers = router.providers.map((provider) => ({
    name: provider.name,
    backend: provider.backend,
    capabilities: provider.capabilities,
  }));
  const routing = {
    prefixes: router.prefixes.map(({ prefix, provider, strip }) => ({ prefix, provider, strip })),
    rules: router.rules.map((rule) => ({
      match: rule.match,
      ...(rule.provider === undefined ? {} : { provider: rule.provider }),
      ...(rule.model === undefined ? {} : { model: rule.model }),
      ...(rule.upstreamModel === undefined ? {} : { upstreamModel: rule.upstreamModel }),
      fallbacks: rule.fallbacks,
    })),
  };
  return (c) => {
    if (c.get('client') !== undefined) {
      throw new GatewayError(
        ErrorCodes.FORBIDDEN,
        'GET /v1/gateway/models is the operator view and no client key opens it; a client key lists the models it may use with GET /v1/models',
      );
    }
    const data = router.models.map((model) => {
      const target = { name: model.name, model, upstreamModel: model.upstreamModel };
      const health = model.kind === 'local' ? backends.for(target)?.health(target) : undefined;
      return {
        name: model.name,
        kind: model.kind,
        backend: model.backend,
        ...(model.kind === 'remote' && model.provider !== undefined
          ? { provider: model.provider }
          : {}),
        upstreamModel: model.upstreamModel,
        aliases: model.aliases,
        fallbacks: model.fallbacks,
        capabilities: model.capabilities,
        ...health,
      };
    });
    return c.json({ object: 'list', data, providers, routing });
  };
}
