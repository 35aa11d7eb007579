import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { extractPresentedKey } from '@mlx-gateway/shared/clients';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { registerSecret } from '@mlx-gateway/shared/security';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { ClientKeys } from './client-keys.js';

/**
 * Open to monitors without a key. /metrics and /v1/gateway/events make their own decision
 * (loopback callers only; routes/observability-routes.ts), as /v1/gateway/limits does
 * (loopback or the operator key; routes/limit-usage-route.ts): no client key opens them.
 */
const OPEN_PATHS = new Set(['/health', '/metrics', '/v1/gateway/events', '/v1/gateway/limits']);

const HOW = 'send it as `Authorization: Bearer <key>` or `x-api-key: <key>`';

/**
 * Who is calling: once client keys exist, every path but /health requires a valid one, and
 * this throws UNAUTHORIZED (401) when the key is missing or wrong (the presented key is never
 * repeated). Undefined when no key is needed. The model check happens in the routes, once the
 * body is read (authorizeModel). Both doors of the proxy call it through the request pipeline
 * (http/request-pipeline.ts).
 */
export function authenticate(
  keys: ClientKeys,
  headers: IncomingHttpHeaders,
  path: string,
): ClientIdentity | undefined {
  if (!keys.required || OPEN_PATHS.has(path)) return undefined;
  const presented = extractPresentedKey(headers);
  if (presented === undefined) {
    throw new GatewayError(
      ErrorCodes.UNAUTHORIZED,
      `this gateway requires a client API key: ${HOW} (the operator creates keys with \`mlx-gateway keys create-client NAME\`)`,
    );
  }
  const client = keys.verify(presented);
  if (client === undefined) {
    throw new GatewayError(
      ErrorCodes.UNAUTHORIZED,
      `the client API key is not valid (revoked, mistyped or for another gateway); ${HOW}`,
    );
  }
  rememberKey(presented);
  return client;
}

/** Valid client keys already registered as secrets; cleared when it grows past a bound. */
const registeredKeys = new Set<string>();
const MAX_REGISTERED_KEYS = 1_000;

/**
 * A valid client key is a secret the gateway now holds: registered, so that an upstream or a
 * log line that repeats it (or part of it) is scrubbed like an upstream key.
 */
function rememberKey(key: string): void {
  if (registeredKeys.has(key)) return;
  if (registeredKeys.size >= MAX_REGISTERED_KEYS) registeredKeys.clear();
  registeredKeys.add(key);
  registerSecret(key);
}
