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
  // HTTP requests
  INVALID_JSON: 'INVALID_JSON',
  INVALID_REQUEST: 'INVALID_REQUEST',
  MISSING_MODEL: 'MISSING_MODEL',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_FEATURE: 'UNSUPPORTED_FEATURE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  STATE_UNAVAILABLE: 'STATE_UNAVAILABLE',
  // upstreams
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_RATE_LIMITED: 'UPSTREAM_RATE_LIMITED',
  UPSTREAM_UNREACHABLE: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_AUTH: 'UPSTREAM_AUTH',
  STREAM_INTERRUPTED: 'STREAM_INTERRUPTED',
  SSRF_BLOCKED: 'SSRF_BLOCKED',
  // config and secrets
  CONFIG_INVALID: 'CONFIG_INVALID',
  SECRET_NOT_FOUND: 'SECRET_NOT_FOUND',
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
