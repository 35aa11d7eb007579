import { describe, expect, it } from 'vitest';
import { transition } from './model-state.js';
import { cfg, has, kinds, run, toReady } from '../testing/transition-runs.js';

const pinned = { ...cfg, pinned: true };

describe('pinned models', () => {
  it('never arm the idle timer, neither when ready nor when their last lease ends', () => {
    const ready = run(toReady, undefined, 1_000, pinned);
    expect(ready.status.phase).toBe('ready');
    expect(has(ready.last, { kind: 'setTimer', name: 'idle' })).toBe(false);
    const done = run(
      [...toReady, { type: 'leases', count: 1 }, { type: 'leases', count: 0 }],
      undefined,
      1_000,
      pinned,
    );
    expect(done.last).toEqual([{ kind: 'cancelTimer', name: 'idle' }]);
  });

  it('ignore an idle timer that fires anyway', () => {
    const ready = run(toReady, undefined, 1_000, pinned).status;
    const t = transition(ready, { type: 'timer', name: 'idle', run: 1 }, 9e9, pinned);
    expect(t.status).toBe(ready);
    expect(t.effects).toEqual([]);
  });

  it('still stop when asked (an operator stop, an eviction is never asked for them)', () => {
    const ready = run(toReady, undefined, 1_000, pinned).status;
    const t = transition(
      ready,
      { type: 'stop', reason: 'stopped by the operator', drain: true },
      2_000,
      pinned,
    );
    expect(t.status.phase).toBe('stopping');
  });
});

describe('a wedged model', () => {
  it('is stopped at once (no drain, even with requests in flight) and started again', () => {
    const busy = run([...toReady, { type: 'leases', count: 2 }]).status;
    const t = transition(
      busy,
      { type: 'wedged', reason: '3 requests in a row stalled' },
      5_000,
      cfg,
    );
    expect(t.status).toMatchObject({
      phase: 'stopping',
      draining: false,
      reason: 'wedged, restarting: 3 requests in a row stalled',
      restartAfterStop: 'gateway',
    });
    expect(has(t.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
    const gone = transition(t.status, { type: 'groupGone', run: 1 }, 6_000, cfg);
    expect(gone.status).toMatchObject({ phase: 'starting', run: 2, owner: 'gateway' });
    expect(kinds(gone.effects)).toContain('requestCapacity');
  });

  it('keeps its owner across the restart', () => {
    const op = run([{ type: 'ensure', owner: 'operator' }, ...toReady.slice(1)]).status;
    const t = transition(op, { type: 'wedged', reason: 'stalled' }, 5_000, cfg);
    expect(t.status).toMatchObject({ restartAfterStop: 'operator' });
  });

  it('is not restarted when it is not ready', () => {
    const starting = run(toReady.slice(0, 3)).status;
    const t = transition(starting, { type: 'wedged', reason: 'stalled' }, 5_000, cfg);
    expect(t.status).toBe(starting);
    expect(t.effects).toEqual([]);
  });
});
