import { GatewayError } from '@mlx-gateway/shared/errors';

/** One failed try of a fallback chain: the target and why it failed. */
export interface FailedAttempt {
  target: string;
  error: GatewayError;
}

/** The response header that names the target which answered (see docs/proxy.md). */
export const TARGET_HEADER = 'x-mlx-gateway-target';

/**
 * The error a client gets when a fallback chain ran out: one target alone keeps its own error;
 * several are named in order with each one's reason, so the primary failure (a server that is
 * not installed) is not hidden behind the last fallback's (a missing cloud key). The status and
 * code are those of `last`, the error that ended the chain, which decides how clients retry.
 */
export function chainError(attempts: readonly FailedAttempt[], last: GatewayError): GatewayError {
  if (attempts.length < 2) return last;
  const reasons = attempts.map((a, i) => `${i + 1}. ${a.target}: ${a.error.message}`);
  const message = `every target of the fallback chain failed: ${reasons.join('; ')}`;
  return new GatewayError(last.code, message, {
    status: last.status,
    details: {
      ...last.details,
      attempts: attempts.map((a) => ({
        target: a.target,
        code: a.error.code,
        message: a.error.message,
      })),
    },
    ...(last.param !== undefined ? { param: last.param } : {}),
    cause: last,
  });
}
