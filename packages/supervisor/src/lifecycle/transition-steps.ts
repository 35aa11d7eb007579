import type { Owner } from '@mlx-gateway/protocol';
import type { Effect, LifecycleSettings, StartError, Transition } from './lifecycle-events.js';
import type {
  FailedStatus,
  ModelStatus,
  ReadyStatus,
  StartingStatus,
  StoppedStatus,
  StoppingStatus,
} from './model-status.js';

/** Steps several phases share: entering a phase, the timers and signals that go with it. */

/**
 * Delay after failed /health probe number `attempt` (0-based) on an open port: ten milliseconds
 * growing to about a second.
 */
export function probeDelay(attempt: number, s: LifecycleSettings): number {
  return Math.min(Math.round(s.probeInitialMs * 1.5 ** attempt), s.probeMaxMs);
}

/** Backoff after the n-th consecutive failed start (1-based). */
export function failureBackoff(failures: number, s: LifecycleSettings): number {
  return Math.min(
    s.failureBackoff.initialMs * 2 ** Math.max(0, failures - 1),
    s.failureBackoff.maxMs,
  );
}

export const same = (status: ModelStatus): Transition => ({ status, effects: [] });

const ALL_TIMERS = ['probe', 'startTimeout', 'idle', 'drain', 'kill', 'health'] as const;
export const cancelAll = (): Effect[] => ALL_TIMERS.map((name) => ({ kind: 'cancelTimer', name }));

export function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `was killed by ${signal}`;
  if (code === 0) return 'exited with code 0 before it became ready';
  return `exited with code ${code ?? 'unknown'}`;
}

export function lastLines(tail: string[]): string {
  const lines = tail.filter((l) => l.trim().length > 0).slice(-5);
  return lines.length ? `; last log lines:\n${lines.join('\n')}` : '';
}

export function signalStop(run: number, cfg: LifecycleSettings): Effect[] {
  return [
    { kind: 'signal', run, signal: 'SIGTERM' },
    { kind: 'setTimer', name: 'kill', ms: cfg.stopGraceMs, run },
    { kind: 'watchGroup', run },
  ];
}

/**
 * A ready gateway model with no lease in flight waits for its idle timer; any other does not,
 * nor does a pinned one.
 */
export function idleTimerEffects(s: ReadyStatus, cfg: LifecycleSettings): Effect[] {
  if (s.owner !== 'gateway' || cfg.idleTimeoutMs <= 0 || s.leases > 0 || cfg.pinned)
    return [{ kind: 'cancelTimer', name: 'idle' }];
  return [{ kind: 'setTimer', name: 'idle', ms: cfg.idleTimeoutMs, run: s.run }];
}

/** The fields a model keeps whatever its phase (the rest go with the phase they belong to). */
function kept(s: ModelStatus) {
  return { run: s.run, failures: s.failures, leases: s.leases, lastUsed: s.lastUsed };
}

/** Stopped, with the reason why. */
export function toStopped(s: ModelStatus, now: number, reason: string | undefined): StoppedStatus {
  return { phase: 'stopped', since: now, reason, ...kept(s) };
}

/** Entering `starting` from stopped or failed. */
export function beginStart(
  s: StoppedStatus | FailedStatus,
  owner: Owner,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  const status: StartingStatus = {
    phase: 'starting',
    since: now,
    ...kept(s),
    run: s.run + 1,
    owner,
    step: 'capacity',
    probes: 0,
    startedAt: now,
  };
  return {
    status,
    effects: [
      { kind: 'requestCapacity' },
      { kind: 'setTimer', name: 'startTimeout', ms: cfg.startTimeoutMs, run: status.run },
      { kind: 'publish' },
    ],
  };
}

/**
 * A start failed: back off, tell every waiter why, clean up what may still run (killed if
 * `kill`; `hadProcess` is false for a spawn that never started).
 */
export function failStart(
  s: StartingStatus,
  now: number,
  cfg: LifecycleSettings,
  error: Omit<StartError, 'retryAt'>,
  kill: boolean,
  hadProcess = s.step === 'loading',
): Transition {
  const failures = s.failures + 1;
  const retryAt = now + failureBackoff(failures, cfg);
  const status: FailedStatus = {
    phase: 'failed',
    since: now,
    ...kept(s),
    reason: error.message,
    failures,
    retryAt,
  };
  const effects: Effect[] = [...cancelAll()];
  if (kill && hadProcess) effects.push({ kind: 'signal', run: s.run, signal: 'SIGKILL' });
  if (hadProcess) effects.push({ kind: 'forget', run: s.run });
  effects.push({ kind: 'releaseCapacity' });
  effects.push({ kind: 'rejectWaiters', error: { ...error, retryAt } }, { kind: 'publish' });
  return { status, effects };
}

/** Ask the process group to stop (after draining leases if asked to). */
export function beginStop(
  s: StartingStatus | ReadyStatus,
  reason: string,
  drain: boolean,
  now: number,
  cfg: LifecycleSettings,
): { status: StoppingStatus; effects: Effect[] } {
  const draining = drain && s.leases > 0;
  const status: StoppingStatus = {
    phase: 'stopping',
    since: now,
    ...kept(s),
    reason,
    owner: s.owner,
    startedAt: s.startedAt,
    pid: s.pid,
    port: s.port,
    readyAt: s.readyAt,
    adopted: s.adopted,
    draining,
  };
  const effects: Effect[] = [...cancelAll()];
  if (draining) {
    effects.push({ kind: 'setTimer', name: 'drain', ms: cfg.drainTimeoutMs, run: s.run });
  } else {
    effects.push(...signalStop(s.run, cfg));
  }
  effects.push({ kind: 'publish' });
  return { status, effects };
}

/** The group is gone (or never started): stopped, and started again if someone asked meanwhile. */
export function finishStop(
  s: StoppingStatus,
  now: number,
  cfg: LifecycleSettings,
  hadProcess: boolean,
): Transition {
  const stopped = toStopped(s, now, s.reason);
  const effects: Effect[] = [
    ...cancelAll(),
    ...(hadProcess ? [{ kind: 'forget', run: s.run } as const] : []),
    { kind: 'releaseCapacity' },
    { kind: 'publish' },
  ];
  if (s.restartAfterStop) {
    const again = beginStart(stopped, s.restartAfterStop, now, cfg);
    return {
      status: again.status,
      effects: [...effects.filter((x) => x.kind !== 'publish'), ...again.effects],
    };
  }
  return { status: stopped, effects };
}
