import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { Resolution } from '../routing/target.js';

/**
 * Checks a client key limited to some models against the model a request asks for, once the
 * body is read. The requested name is allowed when the key lists it, or lists the configured
 * model it resolves to (so listing a model allows its aliases). Fallbacks the gateway tries are
 * the operator's choice and are not checked. No client (auth off) or no list: every model.
 * Throws FORBIDDEN (403) before anything is started or sent upstream.
 */
export function authorizeModel(
  client: ClientIdentity | undefined,
  requested: string,
  resolution: Resolution | undefined,
): void {
  const allowed = client?.models;
  if (client === undefined || allowed === undefined) return;
  if (allowed.includes(requested)) return;
  const primary = resolution?.targets[0]?.name;
  if (primary !== undefined && allowed.includes(primary)) return;
  throw new GatewayError(
    ErrorCodes.FORBIDDEN,
    `the client key '${client.name}' may not use model '${requested}'; it may use: ${allowed.join(', ')}`,
    { param: 'model' },
  );
}
