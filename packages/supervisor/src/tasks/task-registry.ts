/**
 * Every piece of background work of the supervisor (timers, intervals, pending operations) is
 * registered here, so that shutdown can cancel all of it and nothing fires afterwards.
 */
export class TaskRegistry {
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setTimeout(() => {
      this.timeouts.delete(t);
      fn();
    }, ms);
    this.timeouts.add(t);
    return t;
  }

  clearTimeout(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timeouts.delete(t);
  }

  setInterval(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setInterval(fn, ms);
    this.intervals.add(t);
    return t;
  }

  clearInterval(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearInterval(t);
    this.intervals.delete(t);
  }

  /** Tracks a promise until it settles (errors are the caller's to handle). */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  get size(): number {
    return this.timeouts.size + this.intervals.size + this.pending.size;
  }

  /** Cancels every timer; waits (bounded) for tracked operations to settle. */
  async close(waitMs: number): Promise<void> {
    this.closed = true;
    for (const t of this.timeouts) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timeouts.clear();
    this.intervals.clear();
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise<void>((r) => {
        timer = setTimeout(r, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
