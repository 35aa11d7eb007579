import type { MiddlewareHandler } from 'hono';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, extractPresentedKey } from '@mlx-gateway/shared';
import type { AppEnv } from '../http/app-env.js';
import { authErrorResponse } from './auth-error-response.js';
import type { ClientKeys } from './client-keys.js';

/** Open to monitors without a key. */
const OPEN_PATHS = new Set(['/health']);

const HOW = 'send it as `Authorization: Bearer <key>` or `x-api-key: <key>`';

/**
 * Requires a valid client key on every route but /health once client keys exist: 401 in the
 * caller's API format when the key is missing or wrong (the presented key is never repeated).
 * The client's identity is put on the context (`client`) and its name on the request record;
 * the model check happens in the routes, once the body is read (authorizeModel).
 */
export function clientAuth(keys: ClientKeys): MiddlewareHandler<AppEnv> {
  const check: MiddlewareHandler<AppEnv> = async (c, next) => {
    const presented = extractPresentedKey(c.env.incoming.headers);
    if (presented === undefined) {
      return authErrorResponse(
        c,
        new GatewayError(
          ErrorCodes.UNAUTHORIZED,
          `this gateway requires a client API key: ${HOW} (the operator creates keys with \`mlx-gateway keys create-client NAME\`)`,
        ),
      );
    }
    const client = keys.verify(presented);
    if (client === undefined) {
      return authErrorResponse(
        c,
        new GatewayError(
          ErrorCodes.UNAUTHORIZED,
          `the client API key is not valid (revoked, mistyped or for another gateway); ${HOW}`,
        ),
      );
    }
    c.set('client', client);
    c.get('record').client = client.name;
    return next();
  };
  // Plain (not async) on the way through: one promise fewer per request when no key is needed.
  return (c, next) => (!keys.required || OPEN_PATHS.has(c.req.path) ? next() : check(c, next));
}
