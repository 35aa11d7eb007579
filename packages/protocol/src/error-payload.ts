import { ErrorCodes } from './error-codes.js';
import type { ErrorPayload } from './messages.js';

/** The payload sent for an error that carries no stable code. */
export const INTERNAL_ERROR_PAYLOAD: ErrorPayload = {
  code: ErrorCodes.INTERNAL,
  message: 'internal supervisor error; see the supervisor log',
};

const CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * What a control handler's failure looks like on the wire. An Error with a stable string `code`
 * (ProtocolError or any subclass) crosses as is: code, message and plain-object details. Anything
 * else, including Node system errors (ENOENT, ERR_*), becomes INTERNAL with a generic message:
 * never a stack trace or an internal message. `coded` tells the caller which case it was, so that
 * it can log the unexpected ones.
 */
export function toErrorPayload(error: unknown): { payload: ErrorPayload; coded: boolean } {
  if (!(error instanceof Error) || !('code' in error)) {
    return { payload: INTERNAL_ERROR_PAYLOAD, coded: false };
  }
  const { code } = error as { code: unknown };
  const systemError = 'errno' in error || 'syscall' in error;
  if (typeof code !== 'string' || !CODE.test(code) || code.startsWith('ERR_') || systemError) {
    return { payload: INTERNAL_ERROR_PAYLOAD, coded: false };
  }
  const payload: ErrorPayload = { code, message: error.message || code };
  const details = 'details' in error ? (error as { details: unknown }).details : undefined;
  if (isSerializableRecord(details)) payload.details = details;
  return { payload, coded: true };
}

function isSerializableRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
