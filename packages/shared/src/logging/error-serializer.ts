import { redactDeep } from '../security/redact-deep.js';

/**
 * pino serializer for `err`/`error`: the error as a plain object (type, message, stack,
 * code, cause, own fields) with the message and stack scrubbed of key-shaped text and
 * credential-named fields censored. Anything that is not an error passes through redactDeep.
 */
export function serializeErrorForLog(err: unknown): unknown {
  return redactDeep(err);
}
