import type { ServerResponse } from 'node:http';
import type { GatewayError } from '@mlx-gateway/shared/errors';
import type { SseResponse } from '../../streaming/sse-response.js';

/**
 * Where the body of one upstream response goes. An attempt chooses its sink once, when the
 * response starts (see `chooseSink`), and from then on hands it every body chunk: the
 * per-chunk path is one call, with no branching on the response's kind.
 *
 * A sink may also wrap another one and pass the chunks on (changed or not): that is the seam
 * for what watches or rewrites the body on its way to the client, e.g. capturing the usage
 * for an audit record, or scrubbing secrets from the bytes relayed. A sink must not allocate
 * or create a promise per chunk beyond what its own job needs: this is the proxy's hot path.
 */
export interface ResponseSink {
  /**
   * The next bytes of the upstream body: what one socket read brought (the attempt joins the
   * chunks a chunked body is cut into). Not called once the attempt has ended.
   */
  data(chunk: Buffer): void;
  /** The upstream body ended. The sink ends the attempt, one way or the other. */
  end(): void;
  /**
   * The upstream body broke off: the error the attempt ends with, when the sink knows better
   * than "broken response" (an error status whose body was being read).
   */
  broken?(err: Error): GatewayError;
}

/** What a sink may ask of the attempt that feeds it. Calls after the attempt has ended are ignored. */
export interface SinkOwner {
  /** The client is not keeping up: stop reading the upstream until the client drains. */
  backpressure(): void;
  /** The response reached the client whole. */
  complete(): void;
  /**
   * The attempt failed. `delivered`: the client already has the error (a translated stream's
   * own error event), so the exchange must not write it again.
   */
  fail(error: GatewayError, delivered?: boolean): void;
}

/** The client side of an exchange, shared by its attempts: the response, and what reached it. */
export interface ClientOutput {
  readonly res: ServerResponse;
  readonly reqId: string;
  /** Present for streamed requests. */
  readonly sse: SseResponse | undefined;
  /** Upstream content has been written to the client: no failover from here on. */
  contentSent: boolean;
  /** Body bytes written to the client by non-streamed responses. */
  bodyBytes: number;
}
