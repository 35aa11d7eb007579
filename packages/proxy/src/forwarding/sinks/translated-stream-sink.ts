import type { StreamScrubber } from '@mlx-gateway/shared/security';
import type { SseResponse } from '../../streaming/sse-response.js';
import { errorFromBrokenResponse } from '../../upstream/upstream-error.js';
import type { UpstreamIdentity } from '../../upstream/upstream-error.js';
import type { StreamStep, StreamTransform } from '../../backends/transforms/response-transform.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';

/**
 * A stream from an upstream that speaks another API than the client: each chunk goes through
 * the request's stream transform, and what it forms is written at once. The transform decides
 * when the stream is complete or failed (its error event written by itself).
 */
export class TranslatedStreamSink implements ResponseSink {
  constructor(
    private readonly client: ClientOutput,
    private readonly sse: SseResponse,
    private readonly owner: SinkOwner,
    private readonly translation: StreamTransform,
    private readonly who: UpstreamIdentity,
    /** Undefined when the gateway holds no secret. */
    private readonly scrubber?: StreamScrubber,
  ) {}

  data(chunk: Buffer): void {
    this.write(this.translation.push(chunk));
  }

  end(): void {
    this.write(this.translation.end());
    // A translation always ends or fails at the end of its body; never leave it hanging (a
    // no-op when the step above ended the attempt).
    this.owner.fail(errorFromBrokenResponse(new Error('ended'), this.who));
  }

  private write(step: StreamStep): void {
    const { sse } = this;
    let drained = true;
    if (step.frames !== '') {
      this.client.contentSent = true;
      drained = sse.write(this.scrubber?.pushText(step.frames) ?? Buffer.from(step.frames));
    }
    if (step.failed !== undefined) {
      sse.end();
      this.owner.fail(step.failed, true);
    } else if (step.done === true) {
      sse.end();
      this.owner.complete();
    } else if (!drained) {
      this.owner.backpressure();
    }
  }
}
