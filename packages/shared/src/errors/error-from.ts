import { ErrorCodes, ProtocolError } from '@mlx-gateway/protocol';
import { isErrorCode } from './error-table.js';
import { GatewayError } from './gateway-error.js';

export const INTERNAL_MESSAGE = 'internal error in the gateway; see the gateway logs for details';

/**
 * Turns anything thrown into a GatewayError. A ProtocolError (for instance one that came back
 * over the control socket) keeps its code, message and details; anything else becomes INTERNAL
 * with a generic message, the original kept only as `cause` for the logs.
 */
export function errorFrom(thrown: unknown): GatewayError {
  if (thrown instanceof GatewayError) return thrown;
  if (thrown instanceof ProtocolError) {
    if (isErrorCode(thrown.code)) {
      return new GatewayError(thrown.code, thrown.message, {
        ...(thrown.details ? { details: thrown.details } : {}),
        cause: thrown,
      });
    }
    return new GatewayError(ErrorCodes.INTERNAL, thrown.message, {
      details: { ...thrown.details, originalCode: thrown.code },
      cause: thrown,
    });
  }
  return new GatewayError(ErrorCodes.INTERNAL, INTERNAL_MESSAGE, { cause: thrown });
}
