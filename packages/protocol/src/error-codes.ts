/**
 * Stable error codes shared by every process. Callers branch on these, never on message text.
 * The HTTP status and API-format bodies for each code live in @mlx-gateway/shared.
 */
export const ErrorCodes = {
  // protocol
  BAD_MESSAGE: 'BAD_MESSAGE',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  SUPERVISOR_UNAVAILABLE: 'SUPERVISOR_UNAVAILABLE',
  SUPERVISOR_TIMEOUT: 'SUPERVISOR_TIMEOUT',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  INTERNAL: 'INTERNAL',
  // models
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_NOT_LOCAL: 'MODEL_NOT_LOCAL',
  MODEL_START_FAILED: 'MODEL_START_FAILED',
  MODEL_START_TIMEOUT: 'MODEL_START_TIMEOUT',
  MODEL_BACKOFF: 'MODEL_BACKOFF',
  MODEL_STOPPED: 'MODEL_STOPPED',
  CAPACITY_EXHAUSTED: 'CAPACITY_EXHAUSTED',
  NO_FREE_PORT: 'NO_FREE_PORT',
  LEASE_NOT_FOUND: 'LEASE_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error that crosses the control socket with a stable code. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
