import type { Handler } from 'hono';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { AppEnv } from '../http/app-env.js';
import type { ModelRouter } from '../routing/model-router.js';

/**
 * GET /v1/models in the OpenAI list format: every name a client may send (model names and
 * aliases). A client key limited to some models sees only the names it may use (the rule of
 * authorizeModel: a listed name, or a name whose model is listed). The config does not change
 * while the proxy runs, so each body is built once: the full one, and one per model list.
 */
export function modelsRoute(router: ModelRouter, createdAt: number): Handler<AppEnv> {
  const owners = new Map<string, string>();
  for (const model of router.models) {
    const owner = model.kind === 'local' ? 'local' : model.backend;
    owners.set(model.name, owner);
    for (const alias of model.aliases) owners.set(alias, owner);
  }
  const bodyOf = (names: readonly string[]): string =>
    JSON.stringify({
      object: 'list',
      data: names.map((id) => ({
        id,
        object: 'model',
        created: createdAt,
        owned_by: owners.get(id) ?? 'mlx-gateway',
      })),
    });
  const body = bodyOf(router.publicNames);
  const limited = new Map<string, string>();
  const bodyFor = (client: ClientIdentity | undefined): string => {
    const allowed = client?.models;
    if (allowed === undefined) return body;
    const key = JSON.stringify(allowed);
    let text = limited.get(key);
    if (text === undefined) {
      text = bodyOf(router.publicNames.filter((name) => mayUse(router, allowed, name)));
      limited.set(key, text);
    }
    return text;
  };
  return (c) => c.body(bodyFor(c.get('client')), 200, { 'content-type': 'application/json' });
}

function mayUse(router: ModelRouter, allowed: readonly string[], name: string): boolean {
  if (allowed.includes(name)) return true;
  const primary = router.resolve(name)?.targets[0]?.name;
  return primary !== undefined && allowed.includes(primary);
}
