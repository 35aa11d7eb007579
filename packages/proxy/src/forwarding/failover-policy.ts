import { ErrorCodes } from '@mlx-gateway/protocol';
import type { ErrorCode } from '@mlx-gateway/protocol';
import type { GatewayError } from '@mlx-gateway/shared/errors';

/**
 * Failures after which the next target of the fallback chain is tried, provided no content
 * has reached the client yet: the upstream could not be reached, was too slow, was rate
 * limited or failed on its side (5xx), broke off before sending content, or the local model
 * could not be started (including a supervisor that is not there to start it).
 */
const FAILOVER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.UPSTREAM_UNREACHABLE,
  ErrorCodes.UPSTREAM_TIMEOUT,
  ErrorCodes.UPSTREAM_RATE_LIMITED,
  // A local model's queue full or waited out (leases/turn-client.ts): a fallback may be free.
  ErrorCodes.RATE_LIMITED,
  ErrorCodes.STREAM_INTERRUPTED,
  ErrorCodes.MODEL_START_FAILED,
  ErrorCodes.MODEL_START_TIMEOUT,
  ErrorCodes.MODEL_BACKOFF,
  ErrorCodes.MODEL_STOPPED,
  ErrorCodes.CAPACITY_EXHAUSTED,
  ErrorCodes.NO_FREE_PORT,
  ErrorCodes.SUPERVISOR_UNAVAILABLE,
  ErrorCodes.SUPERVISOR_TIMEOUT,
]);

export function canFailOver(err: GatewayError): boolean {
  if (FAILOVER_CODES.has(err.code)) return true;
  if (err.code !== ErrorCodes.UPSTREAM_ERROR) return false;
  const upstreamStatus = err.details?.['upstreamStatus'];
  return typeof upstreamStatus === 'number' && upstreamStatus >= 500;
}
