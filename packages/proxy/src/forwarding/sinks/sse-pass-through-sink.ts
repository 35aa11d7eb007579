import { SseFramer, lastEventEnd } from '../../streaming/sse-framer.js';
import type { SseResponse } from '../../streaming/sse-response.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';

const EVENT_END = Buffer.from('\n\n');

/**
 * A stream in the client's own API: the upstream's events relayed as they are, cut at event
 * boundaries only, so that a heartbeat or a final error event never lands inside an event.
 */
export class SsePassThroughSink implements ResponseSink {
  private readonly framer = new SseFramer();

  constructor(
    private readonly client: ClientOutput,
    private readonly sse: SseResponse,
    private readonly owner: SinkOwner,
  ) {}

  data(chunk: Buffer): void {
    const events = this.framer.push(chunk);
    if (events === undefined) return;
    this.client.contentSent = true;
    if (!this.sse.write(events)) this.owner.backpressure();
  }

  /** Whatever the upstream left without a final blank line is sent as a complete event. */
  end(): void {
    const { sse } = this;
    const rest = this.framer.flush();
    if (rest !== undefined) {
      this.client.contentSent = true;
      sse.write(rest);
      if (lastEventEnd(rest) !== rest.length) sse.write(EVENT_END);
    }
    sse.end();
    this.owner.complete();
  }
}
