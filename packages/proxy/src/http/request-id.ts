import { randomUUID } from 'node:crypto';
import { scrubSecrets } from '@mlx-gateway/shared/security';

const ACCEPTED = /^[\w.:-]{1,128}$/;

/**
 * The id of a request: the client's own `x-request-id` when it is a sane token (so ids
 * correlate across hops), otherwise a new UUID. A token shaped like a credential (one that
 * `scrubSecrets` would change) is not taken either: the id is echoed in a response header
 * and written unscrubbed in the request log (see `logRequest`).
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED.test(header) && scrubSecrets(header) === header
    ? header
    : randomUUID();
}
