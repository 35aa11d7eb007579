import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Handler } from 'hono';
import type { AppEnv } from './app-env.js';

/** Answers 405 (with `Allow`) on a known path asked with another method. */
export function methodNotAllowed(path: string, allowed: string): Handler<AppEnv> {
  return (c) => {
    c.env.outgoing.setHeader('allow', allowed);
    throw new GatewayError(
      ErrorCodes.METHOD_NOT_ALLOWED,
      `${c.req.method} is not allowed on ${path}; use ${allowed}`,
    );
  };
}
