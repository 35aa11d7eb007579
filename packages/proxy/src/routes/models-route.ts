import type { Handler } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import type { ModelRouter } from '../routing/model-router.js';

/**
 * GET /v1/models in the OpenAI list format: every name a client may send (model names and
 * aliases). The config does not change while the proxy runs, so the body is built once.
 */
export function modelsRoute(router: ModelRouter, createdAt: number): Handler<AppEnv> {
  const owners = new Map<string, string>();
  for (const model of router.models) {
    const owner = model.kind === 'local' ? 'local' : model.backend;
    owners.set(model.name, owner);
    for (const alias of model.aliases) owners.set(alias, owner);
  }
  const body = JSON.stringify({
    object: 'list',
    data: router.publicNames.map((id) => ({
      id,
      object: 'model',
      created: createdAt,
      owned_by: owners.get(id) ?? 'mlx-gateway',
    })),
  });
  return (c) => c.body(body, 200, { 'content-type': 'application/json' });
}
