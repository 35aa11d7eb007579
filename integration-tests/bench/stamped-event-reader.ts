/**
 * Reads the SSE stream of the fake upstream as it arrives: counts data events, notes `[DONE]`,
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
      if (text.startsWith('data: ', start)) {
        if (text.startsWith('data: [DONE]', start)) {
          this.done = true;
        } else {
          this.events += 1;
          const at = text.indexOf('"t":', start);
          if (at !== -1 && at < end) {
            this.onEvent(arrivedAt - Number.parseFloat(text.slice(at + 4, end)));
          }
        }
      }
      start = end + 2;
    }
    this.rest = start === text.length ? '' : text.slice(start);
  }
}
