import type { Owner } from '@mlx-gateway/protocol';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../process/health-probe.js';
import type { ExitInfo, SpawnedChild } from '../process/spawn-model.js';
import { TaskRegistry } from '../tasks/task-registry.js';
import { ManualClock } from '../testing/manual-clock.js';
import { ModelController, StartFailure, type ControllerHost } from './model-controller.js';
import { DEFAULT_PROBE, type LifecycleSettings } from './model-state.js';

const settings: LifecycleSettings = {
  startTimeoutMs: 60_000,
  idleTimeoutMs: 600_000,
  stopGraceMs: 5_000,
  drainTimeoutMs: 30_000,
  healthIntervalMs: 30_000,
  failureBackoff: { initialMs: 5_000, maxMs: 300_000 },
  ...DEFAULT_PROBE,
};

const config = { name: 'qwen', healthPath: '/health', env: {} } as LocalModelConfig;

const CLOSED: ProbeOutcome = { ok: false, listening: false };
const UNHEALTHY: ProbeOutcome = { ok: false, listening: true };
const HEALTHY: ProbeOutcome = { ok: true, listening: true };

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the promise callbacks queued by the fakes run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/** A host that records what the controller asks of it; the test answers by hand. */
class FakeHost implements ControllerHost {
  readonly clock = new ManualClock(1_000);
  readonly tasks = new TaskRegistry(this.clock);
  readonly calls: string[] = [];
  readonly signals: Array<[number, NodeJS.Signals]> = [];
  readonly spawns: Array<{
    run: number;
    owner: Owner;
    answer: ReturnType<typeof deferred<SpawnedChild & { port: number }>>;
  }> = [];
  readonly probes: Array<ReturnType<typeof deferred<ProbeOutcome>>> = [];
  readonly exits = new Map<number, ReturnType<typeof deferred<ExitInfo>>>();
  readonly alive = new Set<number>();
  forgotten: Array<[number | undefined, number | undefined]> = [];
  published = 0;

  requestCapacity() {
    this.calls.push('requestCapacity');
  }
  releaseCapacity() {
    this.calls.push('releaseCapacity');
  }
  spawn(_c: ModelController, run: number, owner: Owner) {
    const answer = deferred<SpawnedChild & { port: number }>();
    this.spawns.push({ run, owner, answer });
    return answer.promise;
  }
  forget(_c: ModelController, _run: number, pid: number | undefined, port: number | undefined) {
    this.forgotten.push([pid, port]);
  }
  probe(_c: ModelController, port: number) {
    this.calls.push(`probe:${port}`);
    const answer = deferred<ProbeOutcome>();
    this.probes.push(answer);
    return answer.promise;
  }
  signalGroup(pgid: number, signal: NodeJS.Signals) {
    this.signals.push([pgid, signal]);
  }
  groupAlive(pgid: number) {
    return this.alive.has(pgid);
  }
  processAlive(pid: number) {
    return this.alive.has(pid);
  }
  logTail() {
    return ['loading weights', 'ERROR: out of memory'];
  }
  publish() {
    this.published += 1;
  }

  /** Answers the last spawn with a running process `pid` on `port`. */
  spawned(pid: number, port: number): void {
    const exited = deferred<ExitInfo>();
    this.exits.set(pid, exited);
    this.alive.add(pid);
    this.spawns.at(-1)!.answer.resolve({ pid, port, exited: exited.promise });
  }

  exit(pid: number, code: number | null, signal: string | null = null): void {
    this.alive.delete(pid);
    this.exits.get(pid)!.resolve({ code, signal });
  }
}

/** A controller whose model the host has granted capacity for (as the planner would). */
function setup() {
  const host = new FakeHost();
  const c = new ModelController(config, settings, host);
  return { host, c };
}

async function startReady(host: FakeHost, c: ModelController, owner: Owner = 'gateway') {
  const ready = c.ensure(owner);
  c.dispatch({ type: 'capacityGranted' });
  host.spawned(100, 10300);
  await settle();
  host.clock.advance(DEFAULT_PROBE.portPollMs);
  host.probes.at(-1)!.resolve(HEALTHY);
  await ready;
}

describe('model controller', () => {
  it('runs a start: capacity, one spawn, probes until healthy, then every waiter resolves', async () => {
    const { host, c } = setup();
    const waiters = [c.ensure('gateway'), c.ensure('gateway'), c.ensure('gateway')];
    expect(host.calls).toEqual(['requestCapacity']);
    c.dispatch({ type: 'capacityGranted' });
    expect(host.spawns.map((s) => [s.run, s.owner])).toEqual([[1, 'gateway']]);
    host.spawned(100, 10300);
    await settle();
    expect(c.info()).toMatchObject({ state: 'starting', pid: 100, port: 10300 });
    host.clock.advance(9);
    expect(host.probes).toHaveLength(0);
    host.clock.advance(1);
    // The port stays closed for 2 s of loading: one cheap check every 10 ms, no backoff.
    for (let t = 10; t < 2_000; t += 10) {
      host.probes.at(-1)!.resolve(CLOSED);
      await settle();
      host.clock.advance(10);
    }
    expect(host.probes).toHaveLength(200);
    // It opens but /health is not 2xx yet, then is: ready 10 ms later.
    host.probes.at(-1)!.resolve(UNHEALTHY);
    await settle();
    host.clock.advance(10);
    host.probes.at(-1)!.resolve(HEALTHY);
    await Promise.all(waiters);
    expect(host.calls.filter((x) => x === 'probe:10300')).toHaveLength(201);
    expect(c.info()).toMatchObject({
      state: 'ready',
      baseUrl: 'http://127.0.0.1:10300',
      owner: 'gateway',
      readyAt: 1_000 + 2_010,
      startedAt: 1_000,
    });
    expect(host.spawns).toHaveLength(1);
  });

  it('an exit while loading fails every waiter with the log tail and kills the group', async () => {
    const { host, c } = setup();
    const waiter = c.ensure('gateway');
    c.dispatch({ type: 'capacityGranted' });
    host.spawned(100, 10300);
    await settle();
    host.exit(100, 1);
    const failure = await waiter.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StartFailure);
    expect((failure as StartFailure).error).toMatchObject({
      code: 'MODEL_START_FAILED',
      logTail: ['loading weights', 'ERROR: out of memory'],
    });
    expect(host.signals).toEqual([[100, 'SIGKILL']]);
    expect(host.forgotten).toEqual([[100, 10300]]);
    expect(host.calls).toContain('releaseCapacity');
    expect(c.info()).toMatchObject({ state: 'failed', retryAt: 1_000 + 5_000 });
    expect(c.info().pid).toBeUndefined();
  });

  it.each([
    ['NO_FREE_PORT', 'NO_FREE_PORT'],
    ['ENOENT', 'MODEL_START_FAILED'],
  ])('a spawn that fails with %s fails the start with %s', async (code, expected) => {
    const { host, c } = setup();
    const waiter = c.ensure('operator');
    c.dispatch({ type: 'capacityGranted' });
    host.spawns[0]!.answer.reject(Object.assign(new Error('no way'), { code }));
    await expect(waiter).rejects.toMatchObject({ error: { code: expected } });
    expect(host.signals).toEqual([]);
  });

  it('the start timeout fails the waiters and kills what was spawned', async () => {
    const { host, c } = setup();
    // Rejected while time moves below, so caught at once.
    const failure = c.ensure('gateway').catch((err: unknown) => err);
    c.dispatch({ type: 'capacityGranted' });
    host.spawned(100, 10300);
    await settle();
    // Every probe says no.
    for (let t = 0; t < settings.startTimeoutMs; t += 1_000) {
      host.clock.advance(1_000);
      for (const p of host.probes) p.resolve(UNHEALTHY);
      await settle();
    }
    expect(await failure).toMatchObject({ error: { code: 'MODEL_START_TIMEOUT' } });
    expect(host.signals).toEqual([[100, 'SIGKILL']]);
  });

  it('a stop signals the group, escalates after the grace period, and ends when the group is gone', async () => {
    const { host, c } = setup();
    await startReady(host, c);
    c.dispatch({ type: 'stop', reason: 'operator', drain: true });
    expect(host.signals).toEqual([[100, 'SIGTERM']]);
    expect(c.info().state).toBe('stopping');
    host.clock.advance(settings.stopGraceMs);
    expect(host.signals).toEqual([
      [100, 'SIGTERM'],
      [100, 'SIGKILL'],
    ]);
    host.exit(100, null, 'SIGKILL');
    await settle();
    expect(c.info().state).toBe('stopping'); // the leader is gone, the group is watched
    host.clock.advance(25);
    expect(c.info()).toMatchObject({ state: 'stopped', reason: 'operator' });
    expect(host.forgotten).toEqual([[100, 10300]]);
    expect(host.calls.at(-1)).toBe('releaseCapacity');
    expect(host.clock.pending).toBe(0);
  });

  it('an idle gateway model is stopped after idleTimeout; an operator model is not', async () => {
    const gateway = setup();
    await startReady(gateway.host, gateway.c);
    const operator = setup();
    await startReady(operator.host, operator.c, 'operator');
    for (const { host } of [gateway, operator]) {
      host.clock.advance(settings.idleTimeoutMs);
      for (const p of host.probes) p.resolve(HEALTHY);
    }
    expect(gateway.c.info().state).toBe('stopping');
    expect(gateway.c.info().reason).toBe('idle for 600s');
    expect(operator.c.info().state).toBe('ready');
  });

  it('publishes when an idle gateway model will be stopped, and nothing while it is busy or the operator owns it', async () => {
    const { host, c } = setup();
    await startReady(host, c);
    const readyAt = host.clock.now();
    expect(c.info().idleStopAt).toBe(readyAt + settings.idleTimeoutMs);
    c.dispatch({ type: 'leases', count: 1 });
    expect(c.info().idleStopAt).toBeUndefined();
    host.clock.advance(5_000);
    c.dispatch({ type: 'leases', count: 0 });
    // The countdown starts again from the end of the last request.
    expect(c.info().idleStopAt).toBe(readyAt + 5_000 + settings.idleTimeoutMs);
    c.dispatch({ type: 'ensure', owner: 'operator' });
    expect(c.info().idleStopAt).toBeUndefined();
  });

  it('drops the idle countdown once the idle timer has stopped the model', async () => {
    const { host, c } = setup();
    await startReady(host, c);
    host.clock.advance(settings.idleTimeoutMs);
    expect(c.info()).toMatchObject({ state: 'stopping' });
    expect(c.info().idleStopAt).toBeUndefined();
  });

  it('an adopted process that dies is noticed by polling and the model is marked stopped', async () => {
    const { host, c } = setup();
    host.alive.add(42);
    c.adopt(42, 10301, 'operator', 500);
    expect(c.info()).toMatchObject({ state: 'ready', pid: 42, owner: 'operator', startedAt: 500 });
    host.alive.delete(42);
    host.clock.advance(500);
    expect(c.info().state).toBe('stopped');
    expect(c.info().reason).toContain('while ready');
    await settle();
  });

  it('until() resolves once the status matches', async () => {
    const { host, c } = setup();
    const ready = c.until((s) => s.phase === 'ready');
    await startReady(host, c);
    await expect(ready).resolves.toMatchObject({ phase: 'ready', pid: 100 });
  });

  it('publishes its policy and footprint, and restarts when wedged only for its current process', async () => {
    const host = new FakeHost();
    const policy = { ...config, pin: true, priority: 3, preload: true };
    const c = new ModelController(
      policy,
      settings,
      Object.assign(host, {
        footprint: () => ({ bytes: 1234, source: 'measured' as const }),
      }),
    );
    expect(c.info()).toMatchObject({
      pinned: true,
      priority: 3,
      preload: true,
      footprintBytes: 1234,
      footprintSource: 'measured',
    });
    expect(c.info().wedgedRestarts).toBeUndefined();
    expect(c.restartWedged('stalled', undefined, 5_000)).toBe(false); // not ready
    await startReady(host, c);
    expect(c.restartWedged('stalled', 999, 5_000)).toBe(false); // another process
    expect(c.restartWedged('stalled', 100, 5_000)).toBe(true);
    expect(c.restartWedged('stalled', 100, 5_001)).toBe(false); // already restarting
    expect(c.info()).toMatchObject({
      state: 'stopping',
      reason: 'wedged, restarting: stalled',
      wedgedRestarts: 1,
      wedgedReason: 'stalled',
      wedgedAt: 5_000,
    });
    expect(host.signals).toEqual([[100, 'SIGTERM']]);
  });
});
