import { createParser } from 'eventsource-parser';
import type { EventSourceMessage, EventSourceParser } from 'eventsource-parser';

/**
 * Parses an upstream SSE body given as network chunks: `push` returns the events the chunk
 * completed, in order. Bytes are decoded as a UTF-8 stream, so a character split between two
 * chunks is not mangled.
 */
export class SseEventReader {
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private events: EventSourceMessage[] = [];

  constructor() {
    this.parser = createParser({ onEvent: (event) => this.events.push(event) });
  }

  push(chunk: Buffer): EventSourceMessage[] {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    return this.take();
  }

  /**
   * The body ended: an event whose terminating blank line never came is taken as complete
   * (some servers end with `data: [DONE]\n`).
   */
  end(): EventSourceMessage[] {
    this.parser.feed(`${this.decoder.decode()}\n\n`);
    return this.take();
  }

  private take(): EventSourceMessage[] {
    if (this.events.length === 0) return [];
    const out = this.events;
    this.events = [];
    return out;
  }
}
