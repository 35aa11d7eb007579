import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock/clock.js';
import type { ProxyLogger } from '../logging/logger.js';
import { logRequest, newRequestRecord } from '../logging/request-record.js';
import type { AppEnv } from './app-env.js';
import { requestIdFrom } from './request-id.js';

/** Paths polled by monitors: their request lines are logged at debug level only. */
const QUIET_PATHS = new Set(['/health']);

/**
 * Gives every request an id (the `x-request-id` response header) and a record, and writes the
 * record as the request's one log line when it is over.
 */
export function requestContext(clock: Clock, logger: ProxyLogger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.env.incoming;
    const reqId = requestIdFrom(incoming.headers['x-request-id']);
    const path = c.req.path;
    const record = newRequestRecord(reqId, incoming.method ?? 'GET', path, clock.now());
    c.set('record', record);
    await next();
    const res = c.res;
    // The proxied routes write their own answers (x-request-id included) straight to Node's
    // response, whose headers are cheapest when all of them go to writeHead at once; the
    // answers Hono writes (errors, model lists, health) get the id here.
    if (res !== RESPONSE_ALREADY_SENT) res.headers.set('x-request-id', reqId);
    record.status ??= res.status;
    if (QUIET_PATHS.has(path) && record.status < 400) {
      logger.debug({ reqId, path, status: record.status }, 'request');
      return;
    }
    logRequest(logger, record, clock.now());
  };
}
