import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';

/** Gives a slot back; calling it again does nothing. */
export type SlotRelease = () => void;

export interface ModelQueueOptions {
  model: string;
  /** Requests the model serves at once. */
  maxConcurrent: number;
  /** Requests that may wait for a slot; one more is refused (429). */
  size: number;
  /** Longest a request waits for a slot before it is refused (429). */
  timeoutMs: number;
  clock: Clock;
}

/** What `status` and /v1/gateway/models show about a queue. */
export interface QueueStats {
  maxConcurrent: number;
  active: number;
  waiting: number;
  /** The longest wait of the requests now waiting, ms. */
  oldestWaitMs: number;
  /** Requests that waited, and how long they waited in all (ms), since the proxy started. */
  waited: number;
  waitedMs: number;
  /** Requests refused: queue full or waited past the timeout. */
  refused: number;
}

interface Waiter {
  since: number;
  grant: (release: SlotRelease) => void;
  refuse: (err: Error) => void;
  timer: Timer;
}

/**
 * The concurrency limit of one local model (mlx-openai-server generates one answer at a time
 * well): at most `maxConcurrent` requests go to the model at once, the others wait in arrival
 * order, at most `size` of them and for at most `timeoutMs` each. A free slot is taken without
 * a promise, so an idle model costs the request path nothing; a request that must wait gets a
 * promise, which the exchange treats like a model that is still loading (a streaming client
 * gets heartbeats meanwhile). The queue is per proxy process.
 */
export class ModelQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private waited = 0;
  private waitedMs = 0;
  private refused = 0;

  constructor(private readonly options: ModelQueueOptions) {}

  /** A slot now (a release function), or a promise of one; rejects with 429 when refused. */
  acquire(signal: AbortSignal): SlotRelease | Promise<SlotRelease> {
    if (this.active < this.options.maxConcurrent && this.waiting.length === 0) {
      this.active++;
      return this.releaser();
    }
    if (this.waiting.length >= this.options.size) {
      this.refused++;
      throw this.refusal(
        `the queue of model "${this.options.model}" is full (${this.options.size} requests waiting for ${this.options.maxConcurrent} at a time); try again shortly`,
      );
    }
    return new Promise<SlotRelease>((resolve, reject) => {
      const { clock } = this.options;
      const waiter: Waiter = {
        since: clock.now(),
        grant: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        refuse: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
        timer: clock.timer(this.options.timeoutMs, () => {
          this.remove(waiter);
          this.refused++;
          waiter.refuse(
            this.refusal(
              `waited ${Math.round(this.options.timeoutMs / 1000)} s for model "${this.options.model}" (${this.options.maxConcurrent} request(s) at a time) without a turn; try again shortly`,
            ),
          );
        }),
      };
      const onAbort = (): void => {
        this.remove(waiter);
        waiter.timer.cancel();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  stats(): QueueStats {
    const now = this.options.clock.now();
    const oldest = this.waiting[0];
    return {
      maxConcurrent: this.options.maxConcurrent,
      active: this.active,
      waiting: this.waiting.length,
      oldestWaitMs: oldest === undefined ? 0 : Math.round(now - oldest.since),
      waited: this.waited,
      waitedMs: Math.round(this.waitedMs),
      refused: this.refused,
    };
  }

  private releaser(): SlotRelease {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.next();
    };
  }

  /** Hands a freed slot to the longest-waiting request. */
  private next(): void {
    const waiter = this.waiting.shift();
    if (waiter === undefined) return;
    waiter.timer.cancel();
    this.active++;
    this.waited++;
    this.waitedMs += this.options.clock.now() - waiter.since;
    waiter.grant(this.releaser());
  }

  private remove(waiter: Waiter): void {
    const at = this.waiting.indexOf(waiter);
    if (at !== -1) this.waiting.splice(at, 1);
  }

  private refusal(message: string): GatewayError {
    const retryAfterSeconds = Math.max(
      1,
      Math.ceil(Math.min(this.options.timeoutMs, 30_000) / 1000),
    );
    return new GatewayError(ErrorCodes.RATE_LIMITED, message, { details: { retryAfterSeconds } });
  }
}

/** The queues of the local models that have `maxConcurrent`, made on first use. */
export class ModelQueues {
  private readonly queues = new Map<string, ModelQueue>();

  constructor(private readonly clock: Clock) {}

  for(model: {
    name: string;
    maxConcurrent?: number;
    queue?: { size: number; timeoutMs: number };
  }): ModelQueue | undefined {
    if (model.maxConcurrent === undefined) return undefined;
    let queue = this.queues.get(model.name);
    if (queue === undefined) {
      queue = new ModelQueue({
        model: model.name,
        maxConcurrent: model.maxConcurrent,
        size: model.queue?.size ?? DEFAULT_QUEUE_SIZE,
        timeoutMs: model.queue?.timeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS,
        clock: this.clock,
      });
      this.queues.set(model.name, queue);
    }
    return queue;
  }

  stats(name: string): QueueStats | undefined {
    return this.queues.get(name)?.stats();
  }
}

export const DEFAULT_QUEUE_SIZE = 100;
export const DEFAULT_QUEUE_TIMEOUT_MS = 120_000;
