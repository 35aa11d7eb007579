import { ErrorCodes, ProtocolError } from './error-codes.js';
import type { ModelInfo } from './messages.js';

export interface WaitForOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

interface ModelWaiter {
  name: string;
  offer(info: ModelInfo): void;
  cancel(error: unknown): void;
}

/**
 * Callers waiting until a model's info satisfies a predicate. The owner offers every change;
 * each waiter settles once: with the first matching info, a predicate that threw, its deadline
 * (SUPERVISOR_TIMEOUT), its abort signal, or `cancelAll`.
 */
export class ModelWaiters {
  private readonly waiters = new Set<ModelWaiter>();

  /** `current` is the model's info now; `lookup` reads it again for the timeout message. */
  wait(
    name: string,
    predicate: (info: ModelInfo) => boolean,
    { timeoutMs, signal }: WaitForOptions,
    lookup: (name: string) => ModelInfo | undefined,
  ): Promise<ModelInfo> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const current = lookup(name);
    try {
      if (current !== undefined && predicate(current)) return Promise.resolve(current);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ModelInfo>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: ModelWaiter = {
        name,
        offer: (info) => {
          try {
            if (!predicate(info)) return;
          } catch (error) {
            finish();
            reject(error);
            return;
          }
          finish();
          resolve(info);
        },
        cancel: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.cancel(signal?.reason);
      const timer = setTimeout(() => {
        const state = lookup(name)?.state;
        waiter.cancel(
          new ProtocolError(
            ErrorCodes.SUPERVISOR_TIMEOUT,
            `model '${name}' did not reach the awaited state within ${timeoutMs} ms (it is ${state ?? 'not listed'})`,
            { model: name, state, timeoutMs },
          ),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  offer(info: ModelInfo): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.name === info.name) waiter.offer(info);
    }
  }

  cancelAll(error: unknown): void {
    for (const waiter of [...this.waiters]) waiter.cancel(error);
  }
}
