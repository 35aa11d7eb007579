import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import type { TimeoutPhase } from '../upstream/upstream-error.js';
import { PhaseDeadlines } from './phase-deadlines.js';

/** Deadlines set in a tick are armed at its end (one timer for all of them). */
const endOfTick = (): Promise<void> => Promise.resolve();

function setup() {
  const clock = new ManualClock();
  const expired: Array<[TimeoutPhase, number]> = [];
  const deadlines = new PhaseDeadlines(clock, (phase) => expired.push([phase, clock.now()]));
  return { clock, expired, deadlines };
}

describe('PhaseDeadlines', () => {
  it('reports the earliest deadline once, at its time, and then nothing more', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 10_000);
    deadlines.set('first byte', 3_000);
    deadlines.set('connect', 1_000);
    await endOfTick();
    clock.advance(999);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual([['connect', 1_000]]);
    clock.advance(60_000);
    expect(expired).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('uses one timer, and skips deadlines cleared before they came', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 10_000);
    deadlines.set('first byte', 3_000);
    deadlines.set('connect', 1_000);
    await endOfTick();
    expect(clock.pending).toBe(1);
    deadlines.clear('connect');
    deadlines.clear('first byte');
    clock.advance(9_999);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual([['total', 10_000]]);
  });

  it('moves a deadline later without firing at the old time (idle refreshed per chunk)', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 60_000);
    deadlines.set('idle', 1_000);
    await endOfTick();
    for (let i = 0; i < 10; i++) {
      clock.advance(900);
      deadlines.set('idle', 1_000);
      await endOfTick();
    }
    expect(expired).toEqual([]);
    clock.advance(1_000);
    expect(expired).toEqual([['idle', 10_000]]);
  });

  it('re-arms for a deadline earlier than the one it waits for', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 60_000);
    await endOfTick();
    clock.advance(5_000);
    deadlines.set('connect', 2_000);
    await endOfTick();
    clock.advance(2_000);
    expect(expired).toEqual([['connect', 7_000]]);
  });

  it('reports the phase first in its order when two fall due at the same moment', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('idle', 5_000);
    deadlines.set('total', 5_000);
    await endOfTick();
    clock.advance(5_000);
    expect(expired).toEqual([['total', 5_000]]);
  });

  it('treats a delay that is not a positive finite number as no deadline', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 0);
    deadlines.set('first byte', Number.POSITIVE_INFINITY);
    deadlines.set('idle', Number.NaN);
    await endOfTick();
    clock.advance(1e9);
    expect(expired).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('stop clears every deadline and the timer', async () => {
    const { clock, expired, deadlines } = setup();
    deadlines.set('total', 1_000);
    deadlines.set('idle', 500);
    await endOfTick();
    deadlines.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(expired).toEqual([]);
  });
});
