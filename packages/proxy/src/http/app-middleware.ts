import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import { finished } from 'node:stream';
import { clientFormatFor } from '../api/client-format.js';
import { MONITORING_PATHS, apiOfRequest } from '../audit/api-names.js';
import { bodyBytesFrom } from './body-bytes.js';
import type { AppEnv } from './app-env.js';
import type { RequestPipeline } from './request-pipeline.js';

/**
 * The request pipeline (request-pipeline.ts) as the Hono app's middleware: the same steps the
 * proxied POST routes run, adapted to Hono's context. These are plain functions returning
 * next() where they only look and pass on: one promise fewer per layer than an async one.
 */

/**
 * First middleware: opens the request (id and record, on the context as `record`), and once
 * the answer is written (or the client left) closes it: the log line and the audit record,
 * with the body bytes sent (body-bytes.ts: Hono writes them after this returns, a stream long
 * after). Answers written straight to Node's response carry the `x-request-id`
 * header already (see writeClientError); the ones Hono writes (model lists, health) get it here.
 */
export function openAndClose(pipeline: RequestPipeline): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const { incoming, outgoing } = c.env;
    const record = pipeline.open(incoming, outgoing, path, clientFormatFor(path));
    c.set('record', record);
    const audit = pipeline.audit(record, path, apiOfRequest(c.req.method, path));
    const bodyBytes = bodyBytesFrom(outgoing);
    await next();
    const res = c.res;
    if (res !== RESPONSE_ALREADY_SENT) {
      res.headers.set('x-request-id', record.reqId);
      record.status ??= res.status;
    }
    finished(outgoing, (err) => {
      // An error written straight on Node's response has its size on the record (pipeline.fail).
      record.bytes ??= bodyBytes();
      if (err !== undefined && err !== null) {
        // The client left before the answer was written whole (a follower of the live events
        // always ends so).
        record.complete = false;
        record.clientClosed = true;
      }
      const monitoring = MONITORING_PATHS.has(path) && (record.status ?? 0) < 400;
      pipeline.close(record, monitoring ? undefined : audit);
    });
  };
}

/**
 * Second middleware: admits the request (shutdown check, client key); the client's identity
 * goes on the context (`client`). A refusal is thrown to the app's error handler.
 */
export function admit(pipeline: RequestPipeline): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const client = pipeline.admit(c.env.incoming, c.env.outgoing, c.req.path, c.get('record'));
    if (client !== undefined) c.set('client', client);
    return next();
  };
}

/** The app's error handler: the pipeline's answer in the format of the path's API. */
export function failOnError(pipeline: RequestPipeline): ErrorHandler<AppEnv> {
  return (thrown, c) => {
    pipeline.fail(c.env.outgoing, c.get('record'), thrown, clientFormatFor(c.req.path));
    return RESPONSE_ALREADY_SENT;
  };
}
