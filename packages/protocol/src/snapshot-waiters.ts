/**
 * Callers waiting for a snapshot: each settles on the first snapshot applied whose request
 * number (generation) is at least the one it waits for, on its deadline, or on `rejectAll`.
 */
export class SnapshotWaiters {
  private readonly waiters = new Set<{
    generation: number;
    resolve(): void;
    reject(error: unknown): void;
  }>();

  /** `timeoutError` builds the rejection when `timeoutMs` passes first (no deadline if unset). */
  wait(
    generation: number,
    timeoutMs: number | undefined,
    timeoutError: () => unknown,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        generation,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => waiter.reject(timeoutError()), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** A snapshot requested as number `generation` was applied. */
  applied(generation: number): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.generation <= generation) waiter.resolve();
    }
  }

  rejectAll(error: unknown): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }
}
