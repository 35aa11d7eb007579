import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { TurnTable } from './turn-table.js';

const policy = { maxConcurrent: 1, size: 2, timeoutMs: 10_000 };

function table(clock = new ManualClock(), line = policy) {
  return new TurnTable(30_000, clock, (model) => (model === 'solo' ? line : undefined));
}

async function refusal(
  p: () => unknown,
): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await p();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('granted');
}

describe('TurnTable', () => {
  it('grants a free turn at once and later ones in arrival order, whoever holds them', async () => {
    const clock = new ManualClock();
    const turns = table(clock);
    expect(turns.acquire('a', 'solo', 'proxy-1')).toBe(0);
    const order: string[] = [];
    const b = (turns.acquire('b', 'solo', 'proxy-2') as Promise<number>).then((ms) => {
      order.push('b');
      return ms;
    });
    const c = (turns.acquire('c', 'solo', 'proxy-1') as Promise<number>).then(() =>
      order.push('c'),
    );
    clock.advance(400);
    expect(turns.info('solo')).toMatchObject({ active: 1, waiting: 2, oldestWaitMs: 400 });
    expect(turns.release('a')).toBe(true);
    expect(await b).toBe(400);
    expect(turns.info('solo')).toMatchObject({ active: 1, waiting: 1, waited: 1, waitedMs: 400 });
    turns.release('b');
    await c;
    expect(order).toEqual(['b', 'c']);
    const [figures] = turns.figures();
    expect(figures).toMatchObject({ model: 'solo', active: 1, waiting: 0, refused: 0 });
    expect(figures!.wait.count).toBe(3); // the free turn too, as a wait of 0
    expect(figures!.wait.sum).toBeCloseTo(0.8);
  });

  it('refuses when the line is full or a wait runs past the timeout (RATE_LIMITED, Retry-After)', async () => {
    const clock = new ManualClock();
    const turns = table(clock);
    expect(turns.acquire('a', 'solo', 'p')).toBe(0);
    const waiting = [turns.acquire('b', 'solo', 'p'), turns.acquire('c', 'solo', 'p')];
    const full = await refusal(() => turns.acquire('d', 'solo', 'p'));
    expect(full.code).toBe('RATE_LIMITED');
    expect(full.message).toContain('queue of model "solo" is full');
    expect(full.details).toEqual({ retryAfterSeconds: 10 });
    clock.advance(10_000);
    for (const w of waiting) expect((await refusal(() => w)).message).toContain('waited 10 s');
    expect(turns.info('solo')).toMatchObject({ active: 1, waiting: 0, refused: 3 });
  });

  it('a request that leaves the line frees its place; a dead holder’s turns expire', async () => {
    const clock = new ManualClock();
    const turns = table(clock, { ...policy, timeoutMs: 120_000 });
    expect(turns.acquire('a', 'solo', 'dead')).toBe(0);
    const left = turns.acquire('b', 'solo', 'live') as Promise<number>;
    const next = turns.acquire('c', 'solo', 'live') as Promise<number>;
    expect(turns.release('b')).toBe(true);
    expect((await refusal(() => left)).code).toBe('LEASE_NOT_FOUND');
    clock.advance(20_000);
    turns.renew('live');
    clock.advance(15_000);
    expect(turns.expire()).toBe(1); // the dead proxy's turn; the live one's wait was renewed
    expect(await next).toBe(35_000);
    expect(turns.release('nope')).toBe(false);
  });

  it('a model without maxConcurrent has no line', () => {
    const turns = table();
    expect(turns.acquire('x', 'free', 'p')).toBe(0);
    expect(turns.info('free')).toBeUndefined();
    expect(turns.figures()).toEqual([]);
  });

  it('takes a changed policy at the next acquire: a larger maxConcurrent lets waiting requests in', async () => {
    let line = { ...policy };
    const turns = new TurnTable(30_000, new ManualClock(), () => line);
    expect(turns.acquire('a', 'solo', 'p')).toBe(0);
    const waiting = turns.acquire('b', 'solo', 'p') as Promise<number>;
    line = { ...policy, maxConcurrent: 3 };
    expect(turns.acquire('c', 'solo', 'p')).toBe(0);
    expect(await waiting).toBe(0);
    expect(turns.info('solo')).toMatchObject({ maxConcurrent: 3, active: 3, waiting: 0 });
  });
});
