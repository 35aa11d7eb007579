import { describe, expect, it } from 'vitest';
import { initialStatus, transition, type LifecycleEvent, type ModelStatus } from './model-state.js';
import { cfg, has, kinds, ready, run, toReady } from '../testing/transition-runs.js';

describe('ready', () => {
  it('ensure resolves at once', () => {
    expect(transition(ready(), { type: 'ensure', owner: 'gateway' }, 2_000, cfg).effects).toEqual([
      { kind: 'resolveWaiters' },
    ]);
  });

  it('an operator ensure on a gateway model pins it (no idle stop)', () => {
    const t = transition(ready(), { type: 'ensure', owner: 'operator' }, 2_000, cfg);
    expect(t.status.owner).toBe('operator');
    expect(has(t.effects, { kind: 'cancelTimer', name: 'idle' })).toBe(true);
  });

  it('the idle timer starts when the last lease ends, not when a request starts', () => {
    const busy = transition(ready(), { type: 'leases', count: 1 }, 2_000, cfg);
    expect(busy.effects).toEqual([{ kind: 'cancelTimer', name: 'idle' }]);
    const two = transition(busy.status, { type: 'leases', count: 2 }, 3_000, cfg);
    const one = transition(two.status, { type: 'leases', count: 1 }, 4_000, cfg);
    expect(has(one.effects, { kind: 'setTimer', name: 'idle' })).toBe(false);
    const none = transition(one.status, { type: 'leases', count: 0 }, 5_000, cfg);
    expect(none.effects).toEqual([{ kind: 'setTimer', name: 'idle', ms: 600_000, run: 1 }]);
    expect(none.status.lastUsed).toBe(5_000);
  });

  it('an idle timer that fires while a lease is held does nothing', () => {
    const busy = transition(ready(), { type: 'leases', count: 1 }, 2_000, cfg).status;
    expect(transition(busy, { type: 'timer', name: 'idle', run: 1 }, 3_000, cfg).effects).toEqual(
      [],
    );
  });

  it('idle stop: SIGTERM to the group, SIGKILL timer after the grace, watch the group', () => {
    const t = transition(ready(), { type: 'timer', name: 'idle', run: 1 }, 700_000, cfg);
    expect(t.status.phase).toBe('stopping');
    expect(t.status.reason).toBe('idle for 600s');
    expect(has(t.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
    expect(has(t.effects, { kind: 'setTimer', name: 'kill', ms: 10_000 })).toBe(true);
    expect(has(t.effects, { kind: 'watchGroup' })).toBe(true);
  });

  it('operator-owned models are never stopped by the idle timer', () => {
    const op = run([{ type: 'ensure', owner: 'operator' }, ...toReady.slice(1)]).status;
    expect(transition(op, { type: 'timer', name: 'idle', run: 1 }, 9e9, cfg).effects).toEqual([]);
  });

  it('promote hands an operator model to the gateway, which arms the idle timer', () => {
    const op = run([{ type: 'ensure', owner: 'operator' }, ...toReady.slice(1)]).status;
    const t = transition(op, { type: 'promote' }, 2_000, cfg);
    expect(t.status.owner).toBe('gateway');
    expect(has(t.effects, { kind: 'setTimer', name: 'idle' })).toBe(true);
  });

  it('a stop with leases in flight drains first, then signals when the last lease ends', () => {
    const busy = transition(ready(), { type: 'leases', count: 2 }, 2_000, cfg).status;
    const stop = transition(busy, { type: 'stop', reason: 'operator', drain: true }, 3_000, cfg);
    expect(stop.status.draining).toBe(true);
    expect(kinds(stop.effects)).not.toContain('signal');
    expect(has(stop.effects, { kind: 'setTimer', name: 'drain', ms: 30_000 })).toBe(true);
    const one = transition(stop.status, { type: 'leases', count: 1 }, 4_000, cfg);
    expect(kinds(one.effects)).not.toContain('signal');
    const zero = transition(one.status, { type: 'leases', count: 0 }, 5_000, cfg);
    expect(has(zero.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
    expect(zero.status.draining).toBe(false);
  });

  it('the drain deadline signals even if leases remain', () => {
    const busy = transition(ready(), { type: 'leases', count: 1 }, 2_000, cfg).status;
    const stop = transition(
      busy,
      { type: 'stop', reason: 'operator', drain: true },
      3_000,
      cfg,
    ).status;
    const t = transition(stop, { type: 'timer', name: 'drain', run: 1 }, 33_000, cfg);
    expect(has(t.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
  });

  it('health is re-checked by timer but never while the model is busy', () => {
    const idle = transition(ready(), { type: 'timer', name: 'health', run: 1 }, 31_000, cfg);
    expect(idle.effects).toEqual([{ kind: 'probe', run: 1 }]);
    const busy = transition(ready(), { type: 'leases', count: 1 }, 2_000, cfg).status;
    expect(
      transition(busy, { type: 'timer', name: 'health', run: 1 }, 31_000, cfg).effects,
    ).toEqual([]);
  });

  it('repeated failed health checks stop the model', () => {
    let s = ready();
    for (let i = 0; i < 2; i++) {
      const t = transition(s, { type: 'probeResult', run: 1, ok: false }, 2_000, cfg);
      expect(t.status.phase).toBe('ready');
      s = t.status;
    }
    const t = transition(s, { type: 'probeResult', run: 1, ok: false }, 2_000, cfg);
    expect(t.status.phase).toBe('stopping');
    expect(t.status.reason).toContain('health check failed 3 times');
  });

  it('a ready model whose process dies is marked stopped with the reason; the next request starts it again', () => {
    const t = transition(
      ready(),
      { type: 'exited', run: 1, code: 137, signal: null, logTail: ['Killed'] },
      5_000,
      cfg,
    );
    expect(t.status.phase).toBe('stopped');
    expect(t.status.reason).toContain('exited with code 137 while ready');
    expect(kinds(t.effects)).toEqual(
      expect.arrayContaining(['signal', 'forget', 'releaseCapacity', 'publish']),
    );
    expect(kinds(t.effects)).not.toContain('spawn');
    expect(
      transition(t.status, { type: 'ensure', owner: 'gateway' }, 6_000, cfg).status,
    ).toMatchObject({ phase: 'starting', run: 2 });
  });
});

describe('stopping', () => {
  const stopping = () =>
    transition(ready(), { type: 'stop', reason: 'operator', drain: false }, 2_000, cfg).status;

  it('SIGKILL after the grace period', () => {
    expect(
      transition(stopping(), { type: 'timer', name: 'kill', run: 1 }, 12_000, cfg).effects,
    ).toEqual([{ kind: 'signal', run: 1, signal: 'SIGKILL' }]);
  });

  it('the leader exiting is not enough: stopped only when the whole group is gone', () => {
    const exited = transition(
      stopping(),
      { type: 'exited', run: 1, code: 0, signal: null, logTail: [] },
      3_000,
      cfg,
    ).status;
    expect(exited.phase).toBe('stopping');
    const gone = transition(exited, { type: 'groupGone', run: 1 }, 3_500, cfg);
    expect(gone.status.phase).toBe('stopped');
    expect(kinds(gone.effects)).toEqual(
      expect.arrayContaining(['forget', 'releaseCapacity', 'publish']),
    );
  });

  it('a request during stopping waits for the stop and starts the model again', () => {
    const asked = transition(stopping(), { type: 'ensure', owner: 'gateway' }, 2_500, cfg);
    expect(asked.effects).toEqual([]);
    const gone = transition(asked.status, { type: 'groupGone', run: 1 }, 3_000, cfg);
    expect(gone.status.phase).toBe('starting');
    expect(gone.status.run).toBe(2);
    expect(kinds(gone.effects)).toEqual(
      expect.arrayContaining(['forget', 'releaseCapacity', 'requestCapacity']),
    );
  });

  it('an explicit stop cancels such a restart and tells the waiters', () => {
    const asked = transition(stopping(), { type: 'ensure', owner: 'gateway' }, 2_500, cfg).status;
    const stop = transition(asked, { type: 'stop', reason: 'shutdown', drain: false }, 2_600, cfg);
    expect(stop.status.restartAfterStop).toBeUndefined();
    expect(stop.effects[0]).toMatchObject({
      kind: 'rejectWaiters',
      error: { code: 'MODEL_STOPPED' },
    });
    expect(transition(stop.status, { type: 'groupGone', run: 1 }, 3_000, cfg).status.phase).toBe(
      'stopped',
    );
  });

  it('a stop while starting fails the waiters and kills the loading process', () => {
    const loading = run(toReady.slice(0, 3)).status;
    const t = transition(loading, { type: 'stop', reason: 'operator', drain: true }, 2_000, cfg);
    expect(t.status.phase).toBe('stopping');
    expect(has(t.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
    expect(t.effects.find((e) => e.kind === 'rejectWaiters')).toMatchObject({
      error: { code: 'MODEL_STOPPED' },
    });
  });

  it('a stop while waiting for capacity just cancels the start', () => {
    const waiting = run([{ type: 'ensure', owner: 'gateway' }]).status;
    const t = transition(waiting, { type: 'stop', reason: 'operator', drain: false }, 2_000, cfg);
    expect(t.status.phase).toBe('stopped');
    expect(kinds(t.effects)).toEqual(expect.arrayContaining(['releaseCapacity', 'rejectWaiters']));
    expect(kinds(t.effects)).not.toContain('signal');
  });

  it('a stop while the spawn is in flight kills the process when it reports back', () => {
    const spawning = run([
      { type: 'ensure', owner: 'gateway' },
      { type: 'capacityGranted' },
    ]).status;
    const stop = transition(
      spawning,
      { type: 'stop', reason: 'operator', drain: false },
      2_000,
      cfg,
    );
    expect(stop.status.phase).toBe('stopping');
    expect(kinds(stop.effects)).not.toContain('signal');
    const spawned = transition(
      stop.status,
      { type: 'spawned', run: 1, pid: 5, port: 10301 },
      2_100,
      cfg,
    );
    expect(has(spawned.effects, { kind: 'signal', signal: 'SIGTERM' })).toBe(true);
    expect(has(spawned.effects, { kind: 'watchGroup' })).toBe(true);
  });
});

describe('adoption', () => {
  it('an adopted child becomes ready with its owner and is health-checked', () => {
    const t = transition(
      initialStatus(0),
      { type: 'adopted', run: 1, pid: 42, port: 10300, owner: 'operator', startedAt: 10 },
      1_000,
      cfg,
    );
    expect(t.status).toMatchObject({
      phase: 'ready',
      pid: 42,
      port: 10300,
      owner: 'operator',
      adopted: true,
    });
    expect(has(t.effects, { kind: 'setTimer', name: 'health' })).toBe(true);
    expect(has(t.effects, { kind: 'setTimer', name: 'idle' })).toBe(false);
  });
});

describe('every state ignores events that do not apply to it', () => {
  const states: Record<string, ModelStatus> = {
    stopped: initialStatus(0),
    starting: run(toReady.slice(0, 3)).status,
    ready: ready(),
    stopping: transition(ready(), { type: 'stop', reason: 'x', drain: false }, 2_000, cfg).status,
    failed: run([
      ...toReady.slice(0, 3),
      { type: 'exited', run: 1, code: 1, signal: null, logTail: [] },
    ]).status,
  };
  const noops: Array<[string, LifecycleEvent]> = [
    ['stopped', { type: 'stop', reason: 'x', drain: true }],
    ['stopped', { type: 'timer', name: 'idle', run: 0 }],
    ['stopped', { type: 'clear' }],
    ['stopped', { type: 'promote' }],
    ['ready', { type: 'capacityGranted' }],
    ['ready', { type: 'clear' }],
    ['ready', { type: 'groupGone', run: 1 }],
    ['starting', { type: 'clear' }],
    ['starting', { type: 'capacityGranted' }],
    ['stopping', { type: 'capacityGranted' }],
    ['stopping', { type: 'probeResult', run: 1, ok: true }],
    ['failed', { type: 'stop', reason: 'x', drain: false }],
    ['failed', { type: 'timer', name: 'kill', run: 1 }],
  ];
  it.each(noops)('%s ignores %o', (name, event) => {
    const s = states[name]!;
    expect(transition(s, event, 5_000, cfg)).toEqual({ status: s, effects: [] });
  });
});
