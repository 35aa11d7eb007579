import type { ProxyLogger } from './logger.js';

/**
 * What the request log says about one request: filled in while the request runs and written
 * as one line when it ends. Never bodies, never headers.
 */
export interface RequestRecord {
  reqId: string;
  method: string;
  path: string;
  /** Start, in the proxy clock's milliseconds. */
  start: number;
  status?: number;
  /** The model name the client asked for. */
  model?: string;
  /** The configured model that answered (or was tried last). */
  target?: string;
  backend?: string;
  stream?: boolean;
  /** False when a response ended early: a stream cut by an error, a client that went away. */
  complete?: boolean;
  /** Milliseconds from the start until the first upstream body byte. */
  ttfbMs?: number;
  /** Response body bytes written to the client. */
  bytes?: number;
  /** Targets tried (more than one after a failover). */
  attempts?: number;
  /** Stable code of the error the request ended with. */
  error?: string;
  clientClosed?: boolean;
  /** Name of the client key the request presented (never the key). */
  client?: string;
  /** Request fields the backend did not get (a translation's dropped hints), comma-separated. */
  droppedFields?: string;
}

export function newRequestRecord(
  reqId: string,
  method: string,
  path: string,
  start: number,
): RequestRecord {
  return { reqId, method, path, start };
}

/**
 * Fields whose values were vetted when they were made: the request id comes from
 * `requestIdFrom`, which takes no id that `scrubSecrets` would change.
 */
const VETTED: ReadonlySet<string> = new Set(['reqId']);

/**
 * Writes the request's one log line. Its fields are known primitives, so it takes the
 * logger's cheap path when there is one (`logPrimitives`: every string scrubbed, among them
 * those a client or an upstream chose, such as the path, the model name and the error; the
 * request id was vetted when it was accepted).
 */
export function logRequest(logger: ProxyLogger, record: RequestRecord, now: number): void {
  const status = record.status ?? 0;
  const line = {
    reqId: record.reqId,
    method: record.method,
    path: record.path,
    model: record.model,
    target: record.target,
    backend: record.backend,
    status,
    durationMs: round(now - record.start),
    ttfbMs: record.ttfbMs === undefined ? undefined : round(record.ttfbMs),
    stream: record.stream,
    complete: record.complete,
    bytes: record.bytes,
    attempts: record.attempts,
    error: record.error,
    clientClosed: record.clientClosed,
    client: record.client,
    droppedFields: record.droppedFields,
  };
  const level = status >= 500 || record.complete === false ? 'warn' : 'info';
  if (logger.logPrimitives !== undefined) logger.logPrimitives(level, line, 'request', VETTED);
  else logger[level](line, 'request');
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
