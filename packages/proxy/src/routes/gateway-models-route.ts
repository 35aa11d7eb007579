import type { Handler } from 'hono';
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { AppEnv } from '../http/app-env.js';
import type { ModelRouter } from '../routing/model-router.js';

/**
 * GET /v1/gateway/models: every configured model with its backend, aliases, fallbacks and
 * capabilities, and for local models the supervisor's current state, pid and port. Remote
 * base URLs are left out (they are the operator's business, not the clients').
 */
export function gatewayModelsRoute(
  router: ModelRouter,
  backends: BackendRegistry,
): Handler<AppEnv> {
  return (c) => {
    const data = router.models.map((model) => {
      const target = { name: model.name, model, upstreamModel: model.upstreamModel };
      const health = model.kind === 'local' ? backends.for(target)?.health(target) : undefined;
      return {
        name: model.name,
        kind: model.kind,
        backend: model.backend,
        upstreamModel: model.upstreamModel,
        aliases: model.aliases,
        fallbacks: model.fallbacks,
        capabilities: model.capabilities,
        ...health,
      };
    });
    return c.json({ object: 'list', data });
  };
}
