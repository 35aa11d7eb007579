import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError, errorFrom } from '@mlx-gateway/shared/errors';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import { writeClientError } from '../api/client-format.js';
import type { ClientFormat } from '../api/client-format.js';
import { authenticate } from '../auth/client-auth.js';
import type { ClientKeys } from '../auth/client-keys.js';
import type { Clock } from '@mlx-gateway/shared/clock';
import type { ProxyLogger } from '../logging/logger.js';
import { logRequest, newRequestRecord } from '../logging/request-record.js';
import type { RequestRecord } from '../logging/request-record.js';
import { requestIdFrom } from './request-id.js';
import { requestAudit } from './request-audit.js';
import type { RequestEnd } from './request-audit.js';
import type { AuditRecordBuilder } from '../audit/record-builder.js';

export interface RequestPipelineDeps {
  clientKeys: ClientKeys;
  clock: Clock;
  logger: ProxyLogger;
  /** True once shutdown began: new requests get 503 SHUTTING_DOWN. */
  isClosing(): boolean;
  /** Where each proxied request's audit record goes when it ends (absent: no records). */
  onRequestEnd?: RequestEnd;
}

/** Paths polled by monitors: their request lines are logged at debug level only. */
const QUIET_PATHS = new Set(['/health']);

/**
 * The steps every request goes through, whichever door it came in by: the proxied POST routes
 * on node:http (proxied-routes.ts, the hot path) or the Hono app (app-middleware.ts, for
 * everything else). Each step is written once, here, and both doors call it:
 *
 *   open → admit → (the route) → fail, on an error the route did not answer → close
 *
 * The steps allocate nothing beyond the request's record, so the hot path pays for the
 * pipeline no more than for the calls.
 */
export class RequestPipeline {
  private readonly clientKeys: ClientKeys;
  private readonly clock: Clock;
  private readonly logger: ProxyLogger;
  private readonly isClosing: () => boolean;
  private readonly onRequestEnd: RequestEnd | undefined;

  constructor(deps: RequestPipelineDeps) {
    this.onRequestEnd = deps.onRequestEnd;
    this.clientKeys = deps.clientKeys;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.isClosing = deps.isClosing;
  }

  /**
   * Gives a request its id (the client's `x-request-id` when sane) and its record. Anthropic's
   * SDKs read the id from `request-id`: it goes on the socket now, so that every answer on an
   * Anthropic path carries it, whoever writes it.
   */
  open(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    path: string,
    format: ClientFormat,
  ): RequestRecord {
    const reqId = requestIdFrom(incoming.headers['x-request-id']);
    const record = newRequestRecord(reqId, incoming.method ?? 'GET', path, this.clock.now());
    if (format.name === 'anthropic') outgoing.setHeader('request-id', reqId);
    return record;
  }

  /**
   * Lets a request in or throws why not: 503 SHUTTING_DOWN once shutdown began (its connection
   * closes after the answer), 401 without a valid client key where one is required. Returns
   * who is calling (undefined when the gateway needs no key), also named on the record.
   */
  admit(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    path: string,
    record: RequestRecord,
  ): ClientIdentity | undefined {
    if (this.isClosing()) {
      outgoing.setHeader('connection', 'close');
      throw new GatewayError(ErrorCodes.SHUTTING_DOWN, 'the gateway proxy is shutting down');
    }
    const client = authenticate(this.clientKeys, incoming.headers, path);
    if (client !== undefined) record.client = client.name;
    return client;
  }

  /**
   * Answers a request that ended in an error of the proxy's own (bad input, no such model or
   * route, no valid key, shutting down, a bug): the error's status and body in the caller's
   * format, written on Node's response, and its code and status on the request record. A body
   * over the limit also closes the connection (the rest of it is never read). When the answer
   * was already under way, which only a bug allows, the connection is cut instead.
   */
  fail(
    outgoing: ServerResponse,
    record: RequestRecord,
    thrown: unknown,
    format: ClientFormat,
  ): void {
    const err = errorFrom(thrown);
    record.error = err.code;
    if (err.code === ErrorCodes.INTERNAL) {
      this.logger.error({ err: thrown, reqId: record.reqId }, 'request failed inside the proxy');
    }
    if (outgoing.headersSent) {
      outgoing.destroy();
      return;
    }
    record.status = err.status;
    // The rest of the body is never read: a body over the limit, or one that stopped coming.
    if (err.code === ErrorCodes.BODY_TOO_LARGE || err.status === 408) {
      outgoing.setHeader('connection', 'close');
    }
    record.bytes = writeClientError(outgoing, err, record.reqId, format);
  }

  /**
   * The audit record builder of a request (undefined when audit and metrics are off): fed by
   * the route and the exchange with what the request record does not hold. `api` names the
   * web app's routes (api-names.ts); a proxied route is named by its path.
   */
  audit(record: RequestRecord, path: string, api?: string): AuditRecordBuilder | undefined {
    if (this.onRequestEnd === undefined) return undefined;
    return requestAudit(record, path, Date.now(), api);
  }

  /**
   * Writes the record as the request's one log line, now that the request is over, and hands
   * its audit record (completed from the request record) to the request-end handler.
   */
  close(record: RequestRecord, audit?: AuditRecordBuilder): void {
    const now = this.clock.now();
    if (audit !== undefined) this.onRequestEnd?.(audit, record, now);
    const status = record.status ?? 0;
    if (QUIET_PATHS.has(record.path) && status < 400) {
      this.logger.debug({ reqId: record.reqId, path: record.path, status }, 'request');
      return;
    }
    logRequest(this.logger, record, now);
  }
}
