/**
 * Runs async tasks one after another. zeromq.js rejects a `send` issued while a previous send on
 * the same socket is still pending (EBUSY), so every socket writes through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one to settle, whatever its outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
