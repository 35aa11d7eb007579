import type { StreamScrubber } from '@mlx-gateway/shared/security';
import { SseFramer, lastEventEnd } from '../../streaming/sse-framer.js';
import type { SseResponse } from '../../streaming/sse-response.js';
import type { ClientOutput, ResponseSink, SinkOwner } from './response-sink.js';
import type { ModelRename } from './model-rename.js';
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
    /** Rewrites the `model` members of whole events (see model-rename.ts). */
    private readonly rename: ModelRename = (events) => events,
    /** The audit record's view of the events (first token, usage); it may drop a usage chunk. */
    private readonly tap?: StreamAuditTap,
  ) {}

  data(chunk: Buffer): void {
    let whole = this.framer.push(chunk);
    if (whole === undefined) return;
    if (this.tap !== undefined) whole = this.tap.events(whole);
    if (whole.length === 0) return;
    const framed = this.rename(whole);
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
    let left = this.framer.flush();
    if (left !== undefined && this.tap !== undefined) {
      left = this.tap.events(left);
      if (left.length === 0) left = undefined;
    }
    const flushed = left === undefined ? undefined : this.rename(left);
    if (this.scrubber === undefined) return flushed;
    const head = flushed === undefined ? undefined : this.scrubber.push(flushed);
    const tail = this.scrubber.end();
    if (tail.length === 0) return head;
    return head === undefined ? tail : Buffer.concat([head, tail]);
  }
}
