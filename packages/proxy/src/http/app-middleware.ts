import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { ErrorHandler, MiddlewareHandler } from 'hono';
import { clientFormatFor } from '../api/client-format.js';
import type { AppEnv } from './app-env.js';
import type { RequestPipeline } from './request-pipeline.js';

/**
 * The request pipeline (request-pipeline.ts) as the Hono app's middleware: the same steps the
 * proxied POST routes run, adapted to Hono's context. These are plain functions returning
 * next() where they only look and pass on: one promise fewer per layer than an async one.
 */

/**
 * First middleware: opens the request (id and record, on the context as `record`), and once
 * the app has answered closes it (the log line). Answers written straight to Node's response
 * carry the `x-request-id` header already (see writeClientError); the ones Hono writes (model
 * lists, health) get it here.
 */
export function openAndClose(pipeline: RequestPipeline): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const record = pipeline.open(c.env.incoming, c.env.outgoing, path, clientFormatFor(path));
    c.set('record', record);
    await next();
    const res = c.res;
    if (res !== RESPONSE_ALREADY_SENT) {
      res.headers.set('x-request-id', record.reqId);
      record.status ??= res.status;
    }
    pipeline.close(record);
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
