import type { GatewayError } from '@mlx-gateway/shared/errors';
import { ERROR_BODY_LIMIT, errorFromUpstreamStatus } from '../../upstream/upstream-error.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { ResponseSink, SinkOwner } from './response-sink.js';

/**
 * An upstream error status (>= 300): nothing reaches the client from here. The start of the
 * body is kept to find the upstream's message, and the attempt fails with the error the
 * status means, which the exchange answers in the client's format (or fails over).
 */
export class ErrorBodySink implements ResponseSink {
  private readonly parts: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly owner: SinkOwner,
    private readonly status: number,
    private readonly who: UpstreamIdentity,
  ) {}

  data(chunk: Buffer): void {
    const room = ERROR_BODY_LIMIT - this.bytes;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.parts.push(part);
    this.bytes += part.length;
  }

  end(): void {
    this.owner.fail(this.error());
  }

  /** A body cut short still has its status, which says more than the cut. */
  broken(): GatewayError {
    return this.error();
  }

  private error(): GatewayError {
    return errorFromUpstreamStatus(this.status, Buffer.concat(this.parts), this.who);
  }
}
