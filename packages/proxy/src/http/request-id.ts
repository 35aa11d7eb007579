import { randomUUID } from 'node:crypto';

const ACCEPTED = /^[\w.:-]{1,128}$/;

/**
 * The id of a request: the client's own `x-request-id` when it is a sane token (so ids
 * correlate across hops), otherwise a new UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED.test(header) ? header : randomUUID();
}
