import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import { SETTLE_MS, TurnTable } from './turn-table.js';

/**
 * A supervisor that restarted while its models kept running starts with an empty table; the
 * proxies re-declare the turns they hold and the requests they have in line.
 */
const policy = { maxConcurrent: 2, size: 2, timeoutMs: 10_000 };

function table(clock = new ManualClock()) {
  return new TurnTable(30_000, clock, (model) => (model === 'duo' ? policy : undefined));
}

/** A turn a proxy held before the restart, re-declared: active at once. */
function redeclare(turns: TurnTable, id: string, holder: string): void {
  expect(turns.acquire(id, 'duo', holder, { held: true })).toBe(0);
}

async function settled(p: Promise<number>): Promise<string> {
  try {
    return `granted after ${await p} ms`;
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('TurnTable, turns re-declared after a restart', () => {
  it('counts re-declared turns as active, even above maxConcurrent; a new request waits until enough come back', async () => {
    const turns = table();
    for (const id of ['a', 'b', 'c']) {
      expect(turns.acquire(id, 'duo', 'proxy-1', { held: true })).toBe(0);
    }
    expect(turns.info('duo')).toMatchObject({ active: 3, waiting: 0 });
    // Re-declared again (the next renewal): nothing changes.
    expect(turns.acquire('a', 'duo', 'proxy-1', { held: true })).toBe(0);
    expect(turns.info('duo')).toMatchObject({ active: 3 });

    let granted = false;
    const d = (turns.acquire('d', 'duo', 'proxy-2') as Promise<number>).then((ms) => {
      granted = true;
      return ms;
    });
    expect(turns.release('a')).toBe(true);
    await Promise.resolve();
    expect(granted).toBe(false); // two still run: the limit
    expect(turns.release('b')).toBe(true);
    expect(await d).toBe(0);
    expect(turns.info('duo')).toMatchObject({ active: 2, waiting: 0 });
    // Turns given back once only: no negative counts.
    expect(turns.release('a')).toBe(false);
    expect(turns.info('duo')).toMatchObject({ active: 2 });
  });

  it('puts re-declared waiting requests in line by how long they waited, ahead of newer ones, even when full', async () => {
    const clock = new ManualClock();
    clock.advance(100_000);
    const turns = table(clock);
    redeclare(turns, 'a', 'p1');
    redeclare(turns, 'b', 'p1');
    const order: string[] = [];
    const ask = (id: string, waitedMs?: number): Promise<number> => {
      const claim = waitedMs === undefined ? {} : { waitedMs };
      return (turns.acquire(id, 'duo', 'p2', claim) as Promise<number>).then((ms) => {
        order.push(id);
        return ms;
      });
    };
    const fresh = ask('fresh');
    const late = ask('late', 1_000);
    const early = ask('early', 3_000);
    // The line is full (size 2), but a request that was in line already still gets its place.
    const middle = ask('middle', 2_000);
    expect(turns.info('duo')).toMatchObject({ active: 2, waiting: 4, oldestWaitMs: 3_000 });
    await expect(Promise.resolve().then(() => turns.acquire('x', 'duo', 'p2'))).rejects.toThrow(
      /queue of model "duo" is full/,
    );

    clock.advance(500);
    turns.release('a');
    turns.release('b');
    expect(await early).toBe(3_500);
    expect(await middle).toBe(2_500);
    turns.release('early');
    turns.release('middle');
    expect(await late).toBe(1_500);
    expect(await fresh).toBe(500);
    expect(order).toEqual(['early', 'middle', 'late', 'fresh']);
  });

  it('a re-declared waiting request is refused once its wait in all reaches the timeout', async () => {
    const clock = new ManualClock();
    const turns = table(clock);
    redeclare(turns, 'a', 'p');
    redeclare(turns, 'b', 'p');
    const waiting = turns.acquire('w', 'duo', 'p', { waitedMs: 9_000 }) as Promise<number>;
    clock.advance(999);
    expect(turns.info('duo')).toMatchObject({ waiting: 1, refused: 0 });
    clock.advance(1);
    expect(await settled(waiting)).toBe('RATE_LIMITED');
    expect(turns.info('duo')).toMatchObject({ waiting: 0, refused: 1 });
  });

  it('a request asked again while in line (its first ask lost with the connection) keeps its place and is answered once granted', async () => {
    const turns = table();
    redeclare(turns, 'a', 'p');
    redeclare(turns, 'b', 'p');
    const first = turns.acquire('w', 'duo', 'p') as Promise<number>;
    const other = turns.acquire('v', 'duo', 'p') as Promise<number>;
    const again = turns.acquire('w', 'duo', 'p', { waitedMs: 0 }) as Promise<number>;
    expect(turns.info('duo')).toMatchObject({ waiting: 2 });
    turns.release('a');
    expect(await again).toBe(0);
    expect(await first).toBe(0);
    // Asked again once granted: already held.
    expect(turns.acquire('w', 'duo', 'p')).toBe(0);
    expect(turns.info('duo')).toMatchObject({ active: 2, waiting: 1 });
    turns.release('b');
    expect(await other).toBe(0);
  });

  it('a turn re-declared as held while it waited here is granted', async () => {
    const turns = table();
    redeclare(turns, 'a', 'p');
    redeclare(turns, 'b', 'p');
    const waiting = turns.acquire('w', 'duo', 'p') as Promise<number>;
    expect(turns.acquire('w', 'duo', 'p', { held: true })).toBe(0);
    expect(await waiting).toBe(0);
    expect(turns.info('duo')).toMatchObject({ active: 3, waiting: 0 });
  });

  it('re-declared turns expire like any other when their holder stops renewing; a model without a line records nothing', () => {
    const clock = new ManualClock();
    const turns = table(clock);
    redeclare(turns, 'gone-1', 'dead');
    redeclare(turns, 'gone-2', 'dead');
    redeclare(turns, 'live', 'live');
    expect(turns.acquire('x', 'removed', 'live', { held: true })).toBe(0);
    expect(turns.info('removed')).toBeUndefined();
    clock.advance(20_000);
    turns.renew('live');
    clock.advance(15_000);
    expect(turns.expire()).toBe(2);
    expect(turns.info('duo')).toMatchObject({ active: 1 });
    expect(turns.acquire('new', 'duo', 'live')).toBe(0);
    expect(turns.info('duo')).toMatchObject({ active: 2 });
  });

  it('an adopted model’s line gives no new turn for a moment after the start, while proxies re-declare theirs', async () => {
    const clock = new ManualClock();
    const turns = table(clock);
    const adopted = { adopted: true };
    // Another proxy's new request comes first: it waits, though the line looks free.
    let granted: number | undefined;
    void (turns.acquire('new', 'duo', 'p2', adopted) as Promise<number>).then((ms) => {
      granted = ms;
    });
    clock.advance(300);
    expect(turns.acquire('a', 'duo', 'p1', { held: true, adopted: true })).toBe(0);
    expect(turns.acquire('b', 'duo', 'p1', { held: true, adopted: true })).toBe(0);
    // A turn coming back in the meantime lets no one in either.
    expect(turns.acquire('c', 'duo', 'p1', { held: true, adopted: true })).toBe(0);
    turns.release('c');
    expect(turns.info('duo')).toMatchObject({ active: 2, waiting: 1 });
    clock.advance(SETTLE_MS - 300);
    await Promise.resolve();
    expect(granted).toBeUndefined(); // both re-declared turns still run
    turns.release('a');
    await Promise.resolve();
    expect(granted).toBe(SETTLE_MS);
    // Once only: the next request on a free turn goes in at once.
    turns.release('b');
    expect(turns.acquire('later', 'duo', 'p2', adopted)).toBe(0);
  });

  it('no such pause for a model started by this supervisor, or once a lease TTL has passed since the start', () => {
    const clock = new ManualClock();
    const turns = table(clock);
    expect(turns.acquire('x', 'duo', 'p', { adopted: false })).toBe(0);
    const late = table(clock);
    clock.advance(30_000);
    expect(late.acquire('y', 'duo', 'p', { adopted: true })).toBe(0);
  });
});
