import type { IncomingHttpHeaders } from 'node:http';
import type { ApiEndpoint } from '../api/api-endpoint.js';
import type { ApiRequest } from '../api/api-request.js';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import type { QueueStats } from '../leases/turn-client.js';
import type { ResponseTransform } from './transforms/response-transform.js';
import type { Target } from '../routing/target.js';
import type { UpstreamCall, UpstreamListener, UpstreamRequest } from '../upstream/upstream-call.js';
import type { UpstreamIdentity } from '../upstream/upstream-error.js';

/** A client request on its way to one target. */
export interface BackendRequest {
  target: Target;
  endpoint: ApiEndpoint;
  request: ApiRequest;
  /** The body exactly as the client sent it. */
  rawBody: Buffer;
  clientHeaders: IncomingHttpHeaders;
  reqId: string;
  /**
   * Usage is wanted for the audit record: an OpenAI-compatible stream whose client did not ask
   * for it gets `stream_options.include_usage` (when the model accepts it; see upstream-body.ts).
   */
  askUsage?: boolean;
}

/** Given to `prepare`: how long it may take, and an abort signal created only if used. */
export interface PrepareContext {
  /** Time left for the model to become ready (the target's first-byte budget). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** An upstream request ready to send, and what to do once it is over. */
export interface PreparedRequest {
  upstream: UpstreamRequest;
  identity: UpstreamIdentity;
  /**
   * Present when the endpoint came from a possibly stale view (the model directory): after a
   * refused connection, prepares the request again the slow way, once.
   */
  retry?: (ctx: PrepareContext) => Promise<PreparedRequest>;
  /**
   * Present when the upstream speaks another API than the client: how its successful response
   * becomes the client's. Absent: the response is relayed as it is.
   */
  transform?: ResponseTransform;
  /**
   * The gateway added `stream_options.include_usage` for the audit record: the usage-only chunk
   * the client did not ask for is removed from the stream it gets.
   */
  usageInjected?: boolean;
  /**
   * Set when the request had to wait for a local model (the supervisor's ensure): true when the
   * model was not running yet (a cold start), false when it only had to be confirmed ready.
   */
  coldStart?: boolean;
  /** Ends whatever the request holds (a lease); called exactly once. */
  release(): void;
  /**
   * Told how the attempt that sent this request ended (`error` undefined: it succeeded), just
   * before `release`. A function the backend shares between its requests, not a closure each.
   */
  settled?: (prepared: PreparedRequest, error: GatewayError | undefined) => void;
  /** The local model this request was sent to, and its process (for the stall count). */
  localModel?: LocalModelConfig;
  localPid?: number | undefined;
}

/** What /v1/gateway/models and /health report about a target's backend. */
export interface BackendHealth {
  /** For local models: the supervisor's state; 'unknown' while the supervisor is not heard. */
  state: string;
  pid?: number;
  port?: number;
  reason?: string;
  leases?: number;
  /** A local model with `maxConcurrent`: requests in flight and waiting for a turn. */
  queue?: QueueStats;
}

/** One kind of upstream: how to reach it and what to send. */
export interface Backend {
  /**
   * Turns the client request into an upstream request. Returns synchronously when no wait is
   * needed (a ready local model, a remote API), a promise when the model must be started first.
   */
  prepare(req: BackendRequest, ctx: PrepareContext): PreparedRequest | Promise<PreparedRequest>;
  /** Sends a prepared request; events go to the listener. */
  send(prepared: PreparedRequest, listener: UpstreamListener): UpstreamCall;
  health(target: Target): BackendHealth;
}

/** `prepared` with a response transform attached (a new object; `prepared` is not changed). */
export function withTransform(
  prepared: PreparedRequest,
  transform: ResponseTransform,
): PreparedRequest {
  return { ...prepared, transform };
}
