/**
 * Reads the SSE stream of the fake upstream as it arrives (directly, proxied, or translated to
 * Anthropic or Responses events by the gateway): counts the stamped events, notes the end (`[DONE]` or
 * `message_stop`),
 * and for each event reports how long after its upstream time stamp (`"t":<epoch ms>`) it
 * arrived. Events may be split across chunks; comments (heartbeats) are ignored.
 */
export class StampedEventReader {
  events = 0;
  done = false;
  private rest = '';

  constructor(private readonly onEvent: (lagMs: number) => void) {}

  /** `arrivedAt`: epoch milliseconds at which the chunk arrived. */
  push(chunk: Buffer, arrivedAt: number): void {
    const text =
      this.rest.length === 0 ? chunk.toString('latin1') : this.rest + chunk.toString('latin1');
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n\n', start);
      if (end === -1) break;
      this.block(text, start, end, arrivedAt);
      start = end + 2;
    }
    this.rest = start === text.length ? '' : text.slice(start);
  }

  /**
   * One SSE event: OpenAI's `data: ...` (ends with `[DONE]`), Anthropic's `event: ...` (ends
   * with message_stop) or the Responses API's `event: response.…` (ends with
   * response.completed; only its text deltas count, the other events repeat the whole text).
   */
  private block(text: string, start: number, end: number, arrivedAt: number): void {
    if (
      text.startsWith('data: [DONE]', start) ||
      text.startsWith('event: message_stop', start) ||
      text.startsWith('event: response.completed', start)
    ) {
      this.done = true;
      return;
    }
    if (
      text.startsWith('event: response.', start) &&
      !text.startsWith('event: response.output_text.delta', start)
    ) {
      return;
    }
    if (!text.startsWith('data: ', start) && !text.startsWith('event: ', start)) return;
    // The upstream stamp: `"t":<ms>` in the fake's own events, `t=<ms>` in text it sent as a
    // chunk. Looked for in this event only: a search of the whole text from here would read the
    // rest of a read of many events once per event.
    const event = text.slice(start, end);
    let at = event.indexOf('"t":');
    let skip = 4;
    if (at === -1) {
      at = event.indexOf('t=');
      skip = 2;
    }
    if (at === -1) return;
    this.events += 1;
    this.onEvent(arrivedAt - Number.parseFloat(event.slice(at + skip)));
  }
}
