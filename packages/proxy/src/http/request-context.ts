import type { IncomingMessage } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../clock/clock.js';
import type { ProxyLogger } from '../logging/logger.js';
import { logRequest, newRequestRecord } from '../logging/request-record.js';
import type { RequestRecord } from '../logging/request-record.js';
import type { AppEnv } from './app-env.js';
import { requestIdFrom } from './request-id.js';

/** Paths polled by monitors: their request lines are logged at debug level only. */
const QUIET_PATHS = new Set(['/health']);

/** Gives a request its id (the client's `x-request-id` when sane) and its record. */
export function beginRequest(incoming: IncomingMessage, path: string, clock: Clock): RequestRecord {
  const reqId = requestIdFrom(incoming.headers['x-request-id']);
  return newRequestRecord(reqId, incoming.method ?? 'GET', path, clock.now());
}

/** Writes the record as the request's one log line, now that the request is over. */
export function endRequest(logger: ProxyLogger, record: RequestRecord, clock: Clock): void {
  const status = record.status ?? 0;
  if (QUIET_PATHS.has(record.path) && status < 400) {
    logger.debug({ reqId: record.reqId, path: record.path, status }, 'request');
    return;
  }
  logRequest(logger, record, clock.now());
}

/**
 * The Hono app's first middleware: every request gets an id (the `x-request-id` response
 * header) and a record, written as the request's one log line when it is over. (The proxied
 * POST routes, served before the app, do the same in proxied-routes.ts.)
 */
export function requestContext(clock: Clock, logger: ProxyLogger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const record = beginRequest(c.env.incoming, c.req.path, clock);
    c.set('record', record);
    await next();
    const res = c.res;
    // Answers written straight to Node's response carry the id already (see fail-request.ts);
    // the ones Hono writes (model lists, health) get it here.
    if (res !== RESPONSE_ALREADY_SENT) {
      res.headers.set('x-request-id', record.reqId);
      record.status ??= res.status;
    }
    endRequest(logger, record, clock);
  };
}
