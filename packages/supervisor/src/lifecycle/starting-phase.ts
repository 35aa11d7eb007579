import type { Effect, LifecycleSettings, PhaseHandler, Transition } from './lifecycle-events.js';
import type { ReadyStatus, StartingStatus } from './model-status.js';
import {
  beginStop,
  cancelAll,
  describeExit,
  failStart,
  idleTimerEffects,
  lastLines,
  probeDelay,
  same,
  toStopped,
} from './transition-steps.js';

/**
 * A start in its three steps: waiting for capacity, spawning, loading (polling the port until it
 * accepts connections, then probing /health until it answers 2xx). It ends ready, failed (exit, spawn error, timeout) or stopped/stopping.
 */
export const onStarting: PhaseHandler<StartingStatus> = (s, e, now, cfg) => {
  switch (e.type) {
    case 'ensure':
      if (e.owner === 'operator' && s.owner !== 'operator') {
        return { status: { ...s, owner: 'operator' }, effects: [{ kind: 'publish' }] };
      }
      return same(s);
    case 'capacityGranted':
      if (s.step !== 'capacity') return same(s);
      return {
        status: { ...s, step: 'spawning' },
        effects: [{ kind: 'spawn', run: s.run, owner: s.owner }],
      };
    case 'capacityDenied':
      if (s.step !== 'capacity') return same(s);
      return {
        status: toStopped(s, now, e.reason),
        effects: [
          ...cancelAll(),
          { kind: 'rejectWaiters', error: { code: 'CAPACITY_EXHAUSTED', message: e.reason } },
          { kind: 'publish' },
        ],
      };
    case 'spawned':
      return {
        status: { ...s, step: 'loading', pid: e.pid, port: e.port, probes: 0 },
        effects: [
          { kind: 'setTimer', name: 'probe', ms: cfg.portPollMs, run: s.run },
          { kind: 'publish' },
        ],
      };
    case 'spawnFailed':
      return failStart(s, now, cfg, { code: e.code, message: e.reason }, false, false);
    case 'timer':
      if (e.name === 'probe' && s.step === 'loading')
        return { status: s, effects: [{ kind: 'probe', run: s.run }] };
      if (e.name === 'startTimeout') return startTimedOut(s, now, cfg);
      return same(s);
    case 'probeResult':
      if (s.step !== 'loading') return same(s);
      if (e.ok) return becomeReady(s, now, cfg);
      // Nothing listens yet: poll the port again soon (cheap). Listening but not healthy: back off.
      if (e.listening === false) {
        return {
          status: s,
          effects: [{ kind: 'setTimer', name: 'probe', ms: cfg.portPollMs, run: s.run }],
        };
      }
      return {
        status: { ...s, probes: s.probes + 1 },
        effects: [{ kind: 'setTimer', name: 'probe', ms: probeDelay(s.probes, cfg), run: s.run }],
      };
    case 'exited': {
      const message = `model process ${describeExit(e.code, e.signal)} during start${lastLines(e.logTail)}`;
      // The leader is gone; kill the group too in case it left a grandchild behind.
      const error = { code: 'MODEL_START_FAILED', message, logTail: e.logTail } as const;
      return failStart(s, now, cfg, error, true);
    }
    case 'stop':
      return stopWhileStarting(s, e.reason, now, cfg);
    default:
      return same(s);
  }
};

function startTimedOut(s: StartingStatus, now: number, cfg: LifecycleSettings): Transition {
  const waited = Math.round(cfg.startTimeoutMs / 1000);
  const message =
    s.step === 'capacity'
      ? `model did not get capacity to start within ${waited}s`
      : `model did not become ready within ${waited}s (startTimeout); its process group was killed`;
  return failStart(s, now, cfg, { code: 'MODEL_START_TIMEOUT', message }, true);
}

function becomeReady(
  s: StartingStatus & { step: 'loading' },
  now: number,
  cfg: LifecycleSettings,
): Transition {
  const status: ReadyStatus = {
    phase: 'ready',
    since: now,
    run: s.run,
    failures: 0,
    leases: s.leases,
    lastUsed: now,
    owner: s.owner,
    pid: s.pid,
    port: s.port,
    startedAt: s.startedAt,
    readyAt: now,
    healthFailures: 0,
  };
  return {
    status,
    effects: [
      { kind: 'cancelTimer', name: 'startTimeout' },
      { kind: 'cancelTimer', name: 'probe' },
      { kind: 'resolveWaiters' },
      { kind: 'setTimer', name: 'health', ms: cfg.healthIntervalMs, run: s.run },
      ...idleTimerEffects(status, cfg),
      { kind: 'publish' },
    ],
  };
}

/**
 * Without a process yet, a stop just cancels the start (waiting for capacity: stopped at once;
 * spawning: stopping, and the spawn is killed when it reports back). A loading process is
 * stopped like a ready one. Either way the waiters learn that the model was stopped.
 */
function stopWhileStarting(
  s: StartingStatus,
  reason: string,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  const t = beginStop(s, reason, false, now, cfg);
  const withoutProcess = t.effects.filter(
    (x) => !(x.kind === 'signal' || x.kind === 'watchGroup' || x.kind === 'setTimer'),
  );
  const reject: Effect = {
    kind: 'rejectWaiters',
    error: { code: 'MODEL_STOPPED', message: `model was stopped while starting (${reason})` },
  };
  switch (s.step) {
    case 'capacity':
      return {
        status: toStopped(s, now, reason),
        effects: [...withoutProcess, { kind: 'releaseCapacity' }, reject],
      };
    case 'spawning':
      return { status: t.status, effects: [...withoutProcess, reject] };
    case 'loading':
      return { status: t.status, effects: [...t.effects, reject] };
  }
}
