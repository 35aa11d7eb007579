import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { ModelQueue } from './model-queue.js';
import type { SlotRelease } from './model-queue.js';

function queue(clock = new ManualClock(), size = 3) {
  return new ModelQueue({ model: 'solo', maxConcurrent: 1, size, timeoutMs: 10_000, clock });
}

const never = new AbortController().signal;

describe('ModelQueue', () => {
  it('gives a free slot at once, and later ones in arrival order as slots free up', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    const first = q.acquire(never);
    expect(typeof first).toBe('function');
    const order: number[] = [];
    const waiting = [1, 2, 3].map((i) =>
      (q.acquire(never) as Promise<SlotRelease>).then((release) => {
        order.push(i);
        return release;
      }),
    );
    expect(q.stats()).toMatchObject({ active: 1, waiting: 3 });
    clock.advance(500);
    (first as SlotRelease)();
    (first as SlotRelease)(); // a second release gives nothing back
    const second = await waiting[0]!;
    expect(q.stats()).toMatchObject({ active: 1, waiting: 2, waited: 1, waitedMs: 500 });
    second();
    (await waiting[1]!)();
    (await waiting[2]!)();
    expect(order).toEqual([1, 2, 3]);
    expect(q.stats()).toMatchObject({ active: 0, waiting: 0 });
  });

  it('refuses with 429 and a Retry-After when full or after waiting past the timeout', async () => {
    const clock = new ManualClock();
    const q = queue(clock, 1);
    expect(typeof q.acquire(never)).toBe('function');
    const waiter = q.acquire(never) as Promise<SlotRelease>;
    expect(() => q.acquire(never)).toThrow(/queue of model "solo" is full/);
    clock.advance(10_000);
    await expect(waiter).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      details: { retryAfterSeconds: 10 },
    });
    expect(q.stats()).toMatchObject({ waiting: 0, refused: 2 });
  });

  it('drops a waiter whose client went away', async () => {
    const q = queue();
    const release = q.acquire(never) as SlotRelease;
    const controller = new AbortController();
    const gone = q.acquire(controller.signal) as Promise<SlotRelease>;
    const next = q.acquire(never) as Promise<SlotRelease>;
    controller.abort(new Error('client closed'));
    await expect(gone).rejects.toThrow('client closed');
    release();
    expect(typeof (await next)).toBe('function');
  });
});
