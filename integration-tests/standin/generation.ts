// One in-flight generation bound to its HTTP response: paced waits, writes that respect
// back-pressure, and cancellation the moment the client goes away (the pending timer is cleared,
// nothing more is scheduled).
import type { ServerResponse } from 'node:http';

export type Outcome = 'completed' | 'aborted' | 'broken';

export interface Settlement {
  outcome: Outcome;
  /** Output tokens (content tokens or tool-argument deltas) written or timed before the end. */
  tokens: number;
}

export class Generation {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private wake: (() => void) | undefined;
  private settled = false;
  private closedWaiters: (() => void)[] = [];
  /** Settles once the last write has been handed to the socket (or failed). */
  private flushed: Promise<void> = Promise.resolve();
  /** Output tokens sent so far; the stats report it when the generation ends. */
  tokens = 0;
  aborted = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly onSettled: (settlement: Settlement) => void,
  ) {
    res.on('close', () => {
      if (!res.writableFinished) this.abort();
      for (const waiter of this.closedWaiters.splice(0)) waiter();
    });
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.cancelWait();
    this.settle('aborted');
  }

  private cancelWait(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits `ms` (0 yields one event-loop turn); resolves false at once if the client left. */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.wake = () => resolve(!this.aborted);
      const done = (): void => {
        this.timer = undefined;
        this.immediate = undefined;
        this.wake = undefined;
        resolve(!this.aborted);
      };
      if (ms > 0) this.timer = setTimeout(done, ms);
      else this.immediate = setImmediate(done);
    });
  }

  /** Writes a chunk; waits for 'drain' when the socket buffer is full. False if the client left. */
  async write(chunk: string): Promise<boolean> {
    if (this.aborted) return false;
    let accepted = true;
    this.flushed = new Promise((resolve) => {
      accepted = this.res.write(chunk, () => resolve());
    });
    if (accepted) return true;
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        this.res.off('drain', finish);
        this.res.off('close', finish);
        resolve();
      };
      this.res.on('drain', finish);
      this.res.on('close', finish);
    });
    return !this.aborted;
  }

  /** Resolves when the connection closes (used to hold a stalled stream open). */
  closed(): Promise<void> {
    if (this.res.closed) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  /** Ends the response normally. */
  end(chunk?: string): void {
    if (this.aborted) return;
    this.res.end(chunk);
    this.settle('completed');
  }

  /**
   * Closes the connection without ending the response (no final chunk, no [DONE]), like a server
   * that dies mid-response; what was written before still reaches the client.
   */
  async breakConnection(): Promise<void> {
    if (this.aborted) return;
    this.settle('broken');
    await this.flushed;
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private settle(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled({ outcome, tokens: this.tokens });
  }
}
