import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';

/**
 * The errors a translation can fail with, all GatewayErrors with a stable code:
 * UNSUPPORTED_FEATURE (the feature has no equivalent on the target API), INVALID_REQUEST
 * (the client sent something malformed), UPSTREAM_ERROR (the backend answered something
 * that cannot be translated). `param` names the offending request path.
 */
export function unsupported(message: string, param?: string): GatewayError {
  return new GatewayError(ErrorCodes.UNSUPPORTED_FEATURE, message, param ? { param } : {});
}

export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError(ErrorCodes.INVALID_REQUEST, message, param ? { param } : {});
}

export function upstreamError(message: string): GatewayError {
  return new GatewayError(ErrorCodes.UPSTREAM_ERROR, message);
}
