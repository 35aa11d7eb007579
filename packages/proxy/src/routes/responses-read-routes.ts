import type { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import { methodNotAllowed } from '../http/method-not-allowed.js';
import { ownedBy } from '../state/response-store.js';
import type { ResponseStore } from '../state/response-store.js';
import { responseNotFound } from './responses-conversation.js';
import { RESPONSE_BY_ID_PATH, responsesEndpoint } from '../api/responses-endpoints.js';

/**
 * GET and DELETE /v1/responses/{id}: a response the gateway stored, as OpenAI returns it, and
 * its removal; an id the store does not have (never stored, `store: false`, expired, deleted)
 * gets OpenAI's 404, and so does one stored for another client key. POST /v1/responses itself is a proxied route (responses-route.ts).
 */
export function registerResponsesReadRoutes(app: Hono<AppEnv>, store: ResponseStore): void {
  app.get(RESPONSE_BY_ID_PATH, async (c) => {
    const id = c.req.param('id');
    const stored = await store.get(id);
    if (stored === undefined || !ownedBy(stored, c.get('client')?.name)) {
      throw responseNotFound(id);
    }
    return c.json(stored.response);
  });
  app.delete(RESPONSE_BY_ID_PATH, async (c) => {
    const id = c.req.param('id');
    const stored = await store.get(id);
    if (stored === undefined || !ownedBy(stored, c.get('client')?.name)) {
      throw responseNotFound(id);
    }
    await store.delete(id);
    return c.json({ id, object: 'response', deleted: true });
  });
  app.all(RESPONSE_BY_ID_PATH, methodNotAllowed(RESPONSE_BY_ID_PATH, 'GET, DELETE'));
  app.all(responsesEndpoint.path, methodNotAllowed(responsesEndpoint.path, 'POST'));
}
