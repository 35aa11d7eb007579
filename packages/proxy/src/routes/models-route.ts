import type { Handler } from 'hono';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { AppEnv } from '../http/app-env.js';
import type { ModelRouter } from '../routing/model-router.js';

/** The path prefix of GET /v1/models/{id}; an id may hold slashes (`openai/gpt-4o`). */
export const MODEL_BY_ID_PREFIX = '/v1/models/';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * GET /v1/models in the OpenAI list format: every name a client may send (model names and
 * aliases). A client key limited to some models sees only the names it may use (the rule of
 * authorizeModel: a listed name, or a name whose model is listed). The config does not change
 * while the proxy runs, so each body is built once: the full one, and one per model list.
 */
export function modelsRoute(router: ModelRouter, createdAt: number): Handler<AppEnv> {
  const objectOf = modelObjects(router, createdAt);
  const bodyOf = (names: readonly string[]): string =>
    JSON.stringify({ object: 'list', data: names.map(objectOf) });
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

/**
 * GET /v1/models/{id} (the OpenAI SDKs' `models.retrieve`): the model object of any name the
 * gateway routes (a configured name, an alias, a provider prefix or rule), or OpenAI's 404
 * with the closest names; a name the client key may not use is not found either.
 */
export function modelByIdRoute(router: ModelRouter, createdAt: number): Handler<AppEnv> {
  const objectOf = modelObjects(router, createdAt);
  return (c) => {
    const raw = c.req.path.slice(MODEL_BY_ID_PREFIX.length);
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      id = raw;
    }
    const allowed = c.get('client')?.models;
    if (router.resolve(id) === undefined || (allowed && !mayUse(router, allowed, id))) {
      throw router.notFound(id);
    }
    return c.json(objectOf(id));
  };
}

/** The OpenAI model object of a routable name, owned by its primary target's backend. */
function modelObjects(router: ModelRouter, createdAt: number): (id: string) => ModelObject {
  const owners = new Map<string, string>();
  for (const model of router.models) {
    const owner = model.kind === 'local' ? 'local' : model.backend;
    owners.set(model.name, owner);
    for (const alias of model.aliases) owners.set(alias, owner);
  }
  const ownerOf = (id: string): string => {
    const known = owners.get(id);
    if (known !== undefined) return known;
    const primary = router.resolve(id)?.targets[0]?.model;
    if (primary === undefined) return 'mlx-gateway';
    return primary.kind === 'local' ? 'local' : primary.backend;
  };
  return (id) => ({ id, object: 'model', created: createdAt, owned_by: ownerOf(id) });
}

function mayUse(router: ModelRouter, allowed: readonly string[], name: string): boolean {
  if (allowed.includes(name)) return true;
  const primary = router.resolve(name)?.targets[0]?.name;
  return primary !== undefined && allowed.includes(primary);
}
