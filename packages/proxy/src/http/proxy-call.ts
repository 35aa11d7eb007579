import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientIdentity } from '@mlx-gateway/shared/clients';
import type { RequestRecord } from '../logging/request-record.js';
import type { AuditRecordBuilder } from '../audit/record-builder.js';
import type { FallbackLimits } from '../limits/fallback-limits.js';

/** One request to a proxied route, as the route sees it. */
export interface ProxyCall {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
  /** The request's record (its one log line), begun before the route runs. */
  record: RequestRecord;
  /** Who presented a valid client key (absent when the gateway has no client keys). */
  client: ClientIdentity | undefined;
  /** The request's audit record in the making (absent when audit and metrics are off). */
  audit?: AuditRecordBuilder | undefined;
  /** The limits of its fallback models, when one has its own (set with the model resolved). */
  fallbackLimits?: FallbackLimits | undefined;
}

/**
 * A proxied POST route: it answers on `outgoing` itself (the upstream's answer, or an error
 * once an exchange has begun). An error it throws before answering is answered by the caller
 * in the format of the route's API.
 */
export type ProxyRoute = (call: ProxyCall) => Promise<void>;
