import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo, ModelState } from '../messages.js';

/** Rejects with a clear message when `promise` has not settled within `ms`: a deadline, not a sleep. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The next `event` whose arguments pass `accept`, within `ms`. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  accept: (...args: A) => boolean = () => true,
  ms = 3000,
): Promise<A> {
  let listener: ((...args: A) => void) | undefined;
  const seen = new Promise<A>((resolve) => {
    listener = (...args: A) => {
      if (accept(...args)) resolve(args);
    };
    emitter.on(event, listener as (...args: unknown[]) => void);
  });
  return withDeadline(seen, ms, `event '${event}'`).finally(() =>
    emitter.off(event, listener as (...args: unknown[]) => void),
  );
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fresh private directory for socket files, and the things to close after a test. */
export class SocketFixture {
  dir = '';
  private readonly closers: Array<() => unknown> = [];

  async setUp(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'mlxgw-protocol-'));
  }

  endpoint(name: string): string {
    return `ipc://${join(this.dir, `${name}.sock`)}`;
  }

  /** Registers something to close in tearDown (last registered, first closed); returns it. */
  track<T extends { close(): unknown }>(closable: T): T {
    this.closers.push(() => closable.close());
    return closable;
  }

  async tearDown(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
  }
}

export function modelInfo(
  name: string,
  state: ModelState,
  extra: Partial<ModelInfo> = {},
): ModelInfo {
  return { name, state, since: 1_700_000_000_000, leases: 0, ...extra };
}
