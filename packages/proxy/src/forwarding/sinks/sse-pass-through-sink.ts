import type { StreamScrubber } from '@mlx-gateway/shared/security';
import { SseFramer, lastEventEnd } from '../../streaming/sse-framer.js';
import type { SseResponse } from '../../streaming/sse-response.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';
import type { StreamAuditTap } from './usage-tap.js';

const EVENT_END = Buffer.from('\n\n');

/**
 * A stream in the client's own API: the upstream's events relayed as they are, cut at event
 * boundaries only, so that a heartbeat or a final error event never lands inside an event;
 * scrubbed of every secret the gateway holds (the scrubber holds back no event's end).
 */
export class SsePassThroughSink implements ResponseSink {
  private readonly framer = new SseFramer();

  constructor(
    private readonly client: ClientOutput,
    private readonly sse: SseResponse,
    private readonly owner: SinkOwner,
    /** Undefined when the gateway holds no secret. */
    private readonly scrubber?: StreamScrubber,
    /** The audit record's view of the events (first token, usage); it may drop a usage chunk. */
    private readonly tap?: StreamAuditTap,
  ) {}

  data(chunk: Buffer): void {
    let framed = this.framer.push(chunk);
    if (framed === undefined) return;
    if (this.tap !== undefined) framed = this.tap.events(framed);
    if (framed.length === 0) return;
    const events = this.scrubber === undefined ? framed : this.scrubber.push(framed);
    this.client.contentSent = true;
    if (!this.sse.write(events)) this.owner.backpressure();
  }

  /** Whatever the upstream left without a final blank line is sent as a complete event. */
  end(): void {
    const { sse } = this;
    const rest = this.rest();
    if (rest !== undefined) {
      this.client.contentSent = true;
      sse.write(rest);
      if (lastEventEnd(rest) !== rest.length) sse.write(EVENT_END);
    }
    sse.end();
    this.owner.complete();
  }

  /** The framer's last bytes and what the scrubber still held, scrubbed. */
  private rest(): Buffer | undefined {
    let flushed = this.framer.flush();
    if (flushed !== undefined && this.tap !== undefined) {
      flushed = this.tap.events(flushed);
      if (flushed.length === 0) flushed = undefined;
    }
    if (this.scrubber === undefined) return flushed;
    const head = flushed === undefined ? undefined : this.scrubber.push(flushed);
    const tail = this.scrubber.end();
    if (tail.length === 0) return head;
    return head === undefined ? tail : Buffer.concat([head, tail]);
  }
}
