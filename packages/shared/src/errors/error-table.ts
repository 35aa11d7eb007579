import type { ErrorCode } from '@mlx-gateway/protocol';

/**
 * The one place that says how each stable error code looks over HTTP: its status, and (where
 * the status alone would pick the wrong one) the `type` used in OpenAI and Anthropic bodies.
 * `Record<ErrorCode, …>` makes a new code a compile error until it is mapped here.
 *
 * Conventions:
 * - A client mistake is 4xx; a failure of a model, an upstream or the gateway itself is 5xx, so
 *   SDKs retry it. 503 = try again later (capacity, a start that failed, backoff); 504 = a
 *   deadline passed; 502 = the upstream failed or answered badly.
 * - UPSTREAM_AUTH is 502, not 401: the upstream refused the gateway's own key, which the caller
 *   cannot fix; a 401 would make clients think their gateway key is wrong.
 * - SSRF_BLOCKED is 403: a policy refusal, not a transient failure.
 * - The body `type` follows the response status (see openAITypeFor / anthropicTypeFor), so a
 *   status overridden for one error (an upstream 400 passed on) still gets a matching type.
 * - In OpenAI bodies `code` is our code in lower case (`model_not_found`), like OpenAI's codes.
 */
interface ErrorKind {
  status: number;
  anthropicType?: AnthropicErrorType;
}

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

const TABLE: Record<ErrorCode, ErrorKind> = {
  // protocol: failures between proxy and supervisor are the gateway's own fault
  BAD_MESSAGE: { status: 500 },
  UNSUPPORTED_VERSION: { status: 500 },
  SUPERVISOR_UNAVAILABLE: { status: 503 },
  SUPERVISOR_TIMEOUT: { status: 504 },
  SHUTTING_DOWN: { status: 503 },
  INTERNAL: { status: 500 },
  // models
  MODEL_NOT_FOUND: { status: 404 },
  MODEL_NOT_LOCAL: { status: 400 },
  MODEL_START_FAILED: { status: 503 },
  MODEL_START_TIMEOUT: { status: 504 },
  MODEL_BACKOFF: { status: 503 },
  MODEL_STOPPED: { status: 503 },
  CAPACITY_EXHAUSTED: { status: 503, anthropicType: 'overloaded_error' },
  NO_FREE_PORT: { status: 503 },
  LEASE_NOT_FOUND: { status: 500 },
  // HTTP requests
  INVALID_JSON: { status: 400 },
  INVALID_REQUEST: { status: 400 },
  MISSING_MODEL: { status: 400 },
  BODY_TOO_LARGE: { status: 413 },
  UNSUPPORTED_FEATURE: { status: 400 },
  NOT_FOUND: { status: 404 },
  METHOD_NOT_ALLOWED: { status: 405 },
  UNAUTHORIZED: { status: 401 },
  FORBIDDEN: { status: 403 },
  // A client key over one of its limits (the gateway's own, not an upstream's).
  RATE_LIMITED: { status: 429 },
  // The state store is down and `state.whenDown` is refuse.
  STATE_UNAVAILABLE: { status: 503 },
  // upstreams
  UPSTREAM_ERROR: { status: 502 },
  UPSTREAM_RATE_LIMITED: { status: 429 },
  UPSTREAM_UNREACHABLE: { status: 502 },
  UPSTREAM_TIMEOUT: { status: 504 },
  // The upstream refused the gateway's key: an operator problem, not the caller's credentials.
  UPSTREAM_AUTH: { status: 502 },
  STREAM_INTERRUPTED: { status: 502 },
  SSRF_BLOCKED: { status: 403 },
  // config and secrets: operator problems
  CONFIG_INVALID: { status: 500 },
  SECRET_NOT_FOUND: { status: 500 },
};

function kindOf(code: string): ErrorKind | undefined {
  return Object.hasOwn(TABLE, code) ? TABLE[code as ErrorCode] : undefined;
}

/** True for the codes of ErrorCodes (a control-socket peer may send codes this build lacks). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && kindOf(code) !== undefined;
}

/** The HTTP status for a code; 500 for a code this build does not know. */
export function httpStatusFor(code: string): number {
  return kindOf(code)?.status ?? 500;
}

/** OpenAI's error `type` for a response status. */
export function openAITypeFor(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'server_error';
}

/** Anthropic's error `type` for a code and the status it is sent with. */
export function anthropicTypeFor(code: string, status: number): AnthropicErrorType {
  const override = kindOf(code)?.anthropicType;
  if (override) return override;
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'api_error';
}
