import { describe, expect, it } from 'vitest';
import {
  failureBackoff,
  initialStatus,
  probeDelay,
  transition,
  type ModelStatus,
} from './model-state.js';
import { cfg, has, kinds, ready, run, toReady } from '../testing/transition-runs.js';

describe('starting', () => {
  it('ensure on a stopped model asks for capacity, arms the start timeout and publishes', () => {
    const { status, last } = run([{ type: 'ensure', owner: 'gateway' }]);
    expect(status.phase).toBe('starting');
    expect(status.step).toBe('capacity');
    expect(status.run).toBe(1);
    expect(kinds(last)).toEqual(['requestCapacity', 'setTimer', 'publish']);
    expect(has(last, { kind: 'setTimer', name: 'startTimeout', ms: 300_000 })).toBe(true);
  });

  it('a second ensure while starting changes nothing (single flight: one spawn)', () => {
    const { steps } = run([...toReady.slice(0, 3), { type: 'ensure', owner: 'gateway' }]);
    expect(steps[3]).toEqual([]);
    expect(steps.flat().filter((e) => e.kind === 'spawn')).toHaveLength(1);
  });

  it('spawns once capacity is granted and checks the port after a short first delay', () => {
    const { steps, status } = run(toReady.slice(0, 3));
    expect(steps[1]).toEqual([{ kind: 'spawn', run: 1, owner: 'gateway' }]);
    expect(status.step).toBe('loading');
    expect(status.pid).toBe(100);
    expect(has(steps[2]!, { kind: 'setTimer', name: 'probe', ms: cfg.portPollMs })).toBe(true);
  });

  it('polls a closed port at a fixed short interval for as long as the load takes', () => {
    const closed = { type: 'probeResult', run: 1, ok: false, listening: false } as const;
    const timer = { type: 'timer', name: 'probe', run: 1 } as const;
    const long = Array.from({ length: 500 }, () => [timer, closed]).flat();
    const { last, status, steps } = run([...toReady.slice(0, 3), ...long]);
    expect(status.probes).toBe(0);
    expect(last).toEqual([{ kind: 'setTimer', name: 'probe', ms: 10, run: 1 }]);
    // Each poll is one probe effect (the host connects first, HTTP only on an open port).
    expect(steps.flat().filter((e) => e.kind === 'probe')).toHaveLength(500);
  });

  it('backs off /health probes on an open port from ten milliseconds to about a second', () => {
    const delays = Array.from({ length: 14 }, (_, i) => probeDelay(i, cfg));
    expect(delays[0]).toBe(10);
    expect(delays[1]).toBe(15);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(Math.max(...delays)).toBe(1000);
  });

  it('a failed probe on an open port schedules the next one with a growing delay', () => {
    const failed = { type: 'probeResult', run: 1, ok: false, listening: true } as const;
    const timer = { type: 'timer', name: 'probe', run: 1 } as const;
    const first = run([...toReady.slice(0, 3), timer, failed]);
    expect(first.status.probes).toBe(1);
    expect(first.last).toEqual([{ kind: 'setTimer', name: 'probe', ms: 10, run: 1 }]);
    const second = run([...toReady.slice(0, 3), timer, failed, timer, failed]);
    expect(second.status.probes).toBe(2);
    expect(second.last).toEqual([{ kind: 'setTimer', name: 'probe', ms: 15, run: 1 }]);
  });

  it('a probe timer while loading triggers one probe', () => {
    const { last } = run([...toReady.slice(0, 3), { type: 'timer', name: 'probe', run: 1 }]);
    expect(last).toEqual([{ kind: 'probe', run: 1 }]);
  });

  it('a successful probe makes the model ready, resolves waiters, arms health and idle timers', () => {
    const { status, last } = run(toReady);
    expect(status.phase).toBe('ready');
    expect(status.readyAt).toBe(1_000);
    expect(kinds(last)).toContain('resolveWaiters');
    expect(has(last, { kind: 'cancelTimer', name: 'startTimeout' })).toBe(true);
    expect(has(last, { kind: 'setTimer', name: 'health', ms: 30_000 })).toBe(true);
    expect(has(last, { kind: 'setTimer', name: 'idle', ms: 600_000 })).toBe(true);
  });

  it('an operator start is not armed for idle stop', () => {
    const { last, status } = run([{ type: 'ensure', owner: 'operator' }, ...toReady.slice(1)]);
    expect(status.owner).toBe('operator');
    expect(has(last, { kind: 'setTimer', name: 'idle' })).toBe(false);
  });

  it('idleTimeout 0 means never stop when idle', () => {
    const { last } = run(toReady, initialStatus(0), 1_000, { ...cfg, idleTimeoutMs: 0 });
    expect(has(last, { kind: 'setTimer', name: 'idle' })).toBe(false);
  });

  it.each([
    [1, null, 'exited with code 1'],
    [0, null, 'exited with code 0 before it became ready'],
    [null, 'SIGSEGV', 'was killed by SIGSEGV'],
  ])(
    'exit during load (code %s, signal %s) fails every waiter at once with the log tail',
    (code, signal, text) => {
      const { status, last } = run([
        ...toReady.slice(0, 3),
        {
          type: 'exited',
          run: 1,
          code,
          signal,
          logTail: ['loading', 'ERROR: Failed to load model x'],
        },
      ]);
      expect(status.phase).toBe('failed');
      expect(status.reason).toContain(text);
      expect(status.reason).toContain('ERROR: Failed to load model x');
      const reject = last.find((e) => e.kind === 'rejectWaiters');
      expect(reject).toMatchObject({
        error: {
          code: 'MODEL_START_FAILED',
          logTail: ['loading', 'ERROR: Failed to load model x'],
        },
      });
      expect(has(last, { kind: 'signal', signal: 'SIGKILL' })).toBe(true);
      expect(kinds(last)).toEqual(expect.arrayContaining(['forget', 'releaseCapacity', 'publish']));
      expect(status.retryAt).toBe(1_000 + 5_000);
    },
  );

  it('a spawn error fails the start without signalling anything', () => {
    const { status, last } = run([
      { type: 'ensure', owner: 'gateway' },
      { type: 'capacityGranted' },
      {
        type: 'spawnFailed',
        run: 1,
        code: 'MODEL_START_FAILED',
        reason: 'spawn mlx-openai-server ENOENT',
      },
    ]);
    expect(status.phase).toBe('failed');
    expect(kinds(last)).not.toContain('signal');
    expect(last.find((e) => e.kind === 'rejectWaiters')).toMatchObject({
      error: { code: 'MODEL_START_FAILED' },
    });
  });

  it('the start timeout kills the process group and fails every waiter with a clear error', () => {
    const { status, last } = run([
      ...toReady.slice(0, 3),
      { type: 'timer', name: 'startTimeout', run: 1 },
    ]);
    expect(status.phase).toBe('failed');
    expect(has(last, { kind: 'signal', signal: 'SIGKILL' })).toBe(true);
    const reject = last.find((e) => e.kind === 'rejectWaiters');
    expect(reject).toMatchObject({ error: { code: 'MODEL_START_TIMEOUT' } });
    expect(status.reason).toContain('within 300s');
  });

  it('a spawn that reports back after its start timed out is killed', () => {
    const { last } = run([
      { type: 'ensure', owner: 'gateway' },
      { type: 'capacityGranted' },
      { type: 'timer', name: 'startTimeout', run: 1 },
      { type: 'spawned', run: 1, pid: 7, port: 10300 },
    ]);
    expect(last).toEqual([
      { kind: 'signal', run: 1, signal: 'SIGKILL' },
      { kind: 'forget', run: 1 },
    ]);
  });

  it('capacity denied leaves the model stopped and tells the waiters why', () => {
    const { status, last } = run([
      { type: 'ensure', owner: 'gateway' },
      { type: 'capacityDenied', reason: 'maxLoadedModels=1 reached' },
    ]);
    expect(status.phase).toBe('stopped');
    expect(last.find((e) => e.kind === 'rejectWaiters')).toMatchObject({
      error: { code: 'CAPACITY_EXHAUSTED', message: 'maxLoadedModels=1 reached' },
    });
  });

  it('events of an older run are ignored', () => {
    const base = ready();
    const t = transition(
      base,
      { type: 'exited', run: 0, code: 1, signal: null, logTail: [] },
      2_000,
      cfg,
    );
    expect(t).toEqual({ status: base, effects: [] });
  });
});

describe('failures back off', () => {
  const failOnce = (s: ModelStatus, now: number) =>
    run(
      [
        { type: 'ensure', owner: 'gateway' },
        { type: 'capacityGranted' },
        { type: 'spawned', run: s.run + 1, pid: 1, port: 1 },
        { type: 'exited', run: s.run + 1, code: 1, signal: null, logTail: [] },
      ],
      s,
      now,
    ).status;

  it('a failed model answers at once with the reason until its retry time', () => {
    const failed = failOnce(initialStatus(0), 1_000);
    const t = transition(failed, { type: 'ensure', owner: 'gateway' }, 2_000, cfg);
    expect(t.status).toBe(failed);
    expect(t.effects).toEqual([
      {
        kind: 'rejectWaiters',
        error: { code: 'MODEL_BACKOFF', message: failed.reason, retryAt: 6_000 },
      },
    ]);
  });

  it('after the retry time a request starts it again, and repeated failures double the backoff', () => {
    const first = failOnce(initialStatus(0), 1_000);
    expect(first.retryAt).toBe(6_000);
    const second = failOnce(first, 6_000);
    expect(second.failures).toBe(2);
    expect(second.retryAt).toBe(6_000 + 10_000);
    expect(failureBackoff(20, cfg)).toBe(300_000);
  });

  it('the operator can clear a failure', () => {
    const failed = failOnce(initialStatus(0), 1_000);
    const cleared = transition(failed, { type: 'clear' }, 2_000, cfg).status;
    expect(cleared.phase).toBe('stopped');
    expect(cleared.failures).toBe(0);
    expect(transition(cleared, { type: 'ensure', owner: 'gateway' }, 2_000, cfg).status.phase).toBe(
      'starting',
    );
  });

  it('a successful start resets the failure count', () => {
    const failed = failOnce(initialStatus(0), 1_000);
    const r = run(
      [
        { type: 'ensure', owner: 'gateway' },
        { type: 'capacityGranted' },
        { type: 'spawned', run: 2, pid: 1, port: 1 },
        { type: 'probeResult', run: 2, ok: true },
      ],
      failed,
      10_000,
    );
    expect(r.status.phase).toBe('ready');
    expect(r.status.failures).toBe(0);
  });
});
