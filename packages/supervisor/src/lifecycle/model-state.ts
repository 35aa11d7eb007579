import type { ModelState, Owner } from '@mlx-gateway/protocol';

/**
 * The lifecycle of one local model, as data.
 *
 *   stopped ──ensure──▶ starting ──probe ok──▶ ready ──stop/idle/evict──▶ stopping ──group gone──▶ stopped
 *      ▲                   │ exit / spawn error / timeout                        │
 *      │                   ▼                                                     │ ensure while stopping:
 *      └──clear / retry── failed ◀───────────────────────────────────────────────┘ start again when gone
 *
 * Allowed transitions (anything else is ignored):
 *   stopped  → starting
 *   starting → ready | failed | stopping | stopped (capacity denied)
 *   ready    → stopping | stopped (process died)
 *   stopping → stopped | starting (a request arrived while stopping)
 *   failed   → starting (retry time reached) | stopped (cleared)
 *
 * `transition` is pure: it returns the next state and the effects to run. Timers, processes and
 * probes live in the effect runner (model-controller.ts); every start or stop decision is made here.
 */

export type StartStep = 'capacity' | 'spawning' | 'loading';

export interface ModelStatus {
  phase: ModelState;
  since: number;
  reason?: string;
  owner?: Owner;
  /** Increments with every start; events of older runs are ignored. */
  run: number;
  step?: StartStep;
  pid?: number;
  port?: number;
  /** Probes made in the current start (for backoff). */
  probes: number;
  /** Consecutive failed starts (for backoff). */
  failures: number;
  retryAt?: number;
  /** Consecutive failed health checks while ready. */
  healthFailures: number;
  leases: number;
  lastUsed?: number;
  startedAt?: number;
  readyAt?: number;
  /** A stop waits for leases to drain before signalling. */
  draining?: boolean;
  /** The leader process exited (the group may still be alive). */
  exited?: boolean;
  /** Someone asked for the model while it was stopping: start again once stopped. */
  restartAfterStop?: Owner;
  /** The process was adopted from a previous supervisor (not our child). */
  adopted?: boolean;
}

export interface LifecycleSettings {
  startTimeoutMs: number;
  idleTimeoutMs: number;
  stopGraceMs: number;
  drainTimeoutMs: number;
  healthIntervalMs: number;
  failureBackoff: { initialMs: number; maxMs: number };
  /** First readiness probe after spawn, then ×1.5 per attempt up to probeMaxMs. */
  probeInitialMs: number;
  probeMaxMs: number;
  /** Consecutive failed health checks before a ready model is declared dead. */
  healthFailureLimit: number;
}

export const DEFAULT_PROBE = { probeInitialMs: 50, probeMaxMs: 1000, healthFailureLimit: 3 };

export interface StartError {
  code:
    | 'MODEL_START_FAILED'
    | 'MODEL_START_TIMEOUT'
    | 'MODEL_BACKOFF'
    | 'MODEL_STOPPED'
    | 'CAPACITY_EXHAUSTED'
    | 'NO_FREE_PORT';
  message: string;
  logTail?: string[];
  retryAt?: number;
}

export type TimerName = 'probe' | 'startTimeout' | 'idle' | 'drain' | 'kill' | 'health';

export type LifecycleEvent =
  | { type: 'ensure'; owner: Owner }
  | { type: 'capacityGranted' }
  | { type: 'capacityDenied'; reason: string }
  | { type: 'spawned'; run: number; pid: number; port: number }
  | {
      type: 'spawnFailed';
      run: number;
      code: 'MODEL_START_FAILED' | 'NO_FREE_PORT';
      reason: string;
    }
  | { type: 'exited'; run: number; code: number | null; signal: string | null; logTail: string[] }
  | { type: 'groupGone'; run: number }
  | { type: 'probeResult'; run: number; ok: boolean }
  | { type: 'timer'; name: TimerName; run: number }
  | { type: 'leases'; count: number }
  | { type: 'stop'; reason: string; drain: boolean }
  | { type: 'promote' }
  | { type: 'clear' }
  | { type: 'adopted'; run: number; pid: number; port: number; owner: Owner; startedAt: number };

export type Effect =
  | { kind: 'requestCapacity' }
  | { kind: 'releaseCapacity' }
  | { kind: 'spawn'; run: number; owner: Owner }
  | { kind: 'signal'; run: number; signal: 'SIGTERM' | 'SIGKILL' }
  | { kind: 'watchGroup'; run: number }
  | { kind: 'probe'; run: number }
  | { kind: 'setTimer'; name: TimerName; ms: number; run: number }
  | { kind: 'cancelTimer'; name: TimerName }
  | { kind: 'forget'; run: number }
  | { kind: 'resolveWaiters' }
  | { kind: 'rejectWaiters'; error: StartError }
  | { kind: 'publish' };

export interface Transition {
  status: ModelStatus;
  effects: Effect[];
}

export function initialStatus(now: number): ModelStatus {
  return {
    phase: 'stopped',
    since: now,
    run: 0,
    probes: 0,
    failures: 0,
    healthFailures: 0,
    leases: 0,
  };
}

/** Delay before readiness probe number `attempt` (0-based): tens of ms growing to about a second. */
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

const ALL_TIMERS: TimerName[] = ['probe', 'startTimeout', 'idle', 'drain', 'kill', 'health'];
const cancelAll = (): Effect[] => ALL_TIMERS.map((name) => ({ kind: 'cancelTimer', name }));

function describeExit(code: number | null, signal: string | null): string {
  if (signal) return `was killed by ${signal}`;
  if (code === 0) return 'exited with code 0 before it became ready';
  return `exited with code ${code ?? 'unknown'}`;
}

function lastLines(tail: string[]): string {
  const lines = tail.filter((l) => l.trim().length > 0).slice(-5);
  return lines.length ? `; last log lines:\n${lines.join('\n')}` : '';
}

/** Entering `starting` from stopped or failed. */
function beginStart(s: ModelStatus, owner: Owner, now: number, cfg: LifecycleSettings): Transition {
  const status: ModelStatus = {
    phase: 'starting',
    since: now,
    owner,
    run: s.run + 1,
    step: 'capacity',
    probes: 0,
    failures: s.failures,
    healthFailures: 0,
    leases: s.leases,
    lastUsed: s.lastUsed,
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

/** A start failed: back off, tell every waiter why, clean up what may still run. */
function failStart(
  s: ModelStatus,
  now: number,
  cfg: LifecycleSettings,
  error: Omit<StartError, 'retryAt'>,
  kill: boolean,
): Transition {
  const failures = s.failures + 1;
  const retryAt = now + failureBackoff(failures, cfg);
  const status: ModelStatus = {
    phase: 'failed',
    since: now,
    reason: error.message,
    run: s.run,
    probes: 0,
    failures,
    retryAt,
    healthFailures: 0,
    leases: s.leases,
    lastUsed: s.lastUsed,
  };
  const effects: Effect[] = [...cancelAll()];
  const hadProcess = s.step === 'loading' || s.pid !== undefined;
  if (kill && hadProcess) effects.push({ kind: 'signal', run: s.run, signal: 'SIGKILL' });
  if (hadProcess) effects.push({ kind: 'forget', run: s.run });
  effects.push({ kind: 'releaseCapacity' });
  effects.push({ kind: 'rejectWaiters', error: { ...error, retryAt } }, { kind: 'publish' });
  return { status, effects };
}

/** Ask the process group to stop (after draining leases if asked to). */
function beginStop(
  s: ModelStatus,
  reason: string,
  drain: boolean,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  const draining = drain && s.leases > 0;
  const status: ModelStatus = {
    ...s,
    phase: 'stopping',
    since: now,
    reason,
    draining,
    step: undefined,
    restartAfterStop: undefined,
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

function signalStop(run: number, cfg: LifecycleSettings): Effect[] {
  return [
    { kind: 'signal', run, signal: 'SIGTERM' },
    { kind: 'setTimer', name: 'kill', ms: cfg.stopGraceMs, run },
    { kind: 'watchGroup', run },
  ];
}

function idleTimerEffects(s: ModelStatus, cfg: LifecycleSettings): Effect[] {
  if (s.owner !== 'gateway' || cfg.idleTimeoutMs <= 0 || s.leases > 0)
    return [{ kind: 'cancelTimer', name: 'idle' }];
  return [{ kind: 'setTimer', name: 'idle', ms: cfg.idleTimeoutMs, run: s.run }];
}

const same = (status: ModelStatus): Transition => ({ status, effects: [] });

export function transition(
  s: ModelStatus,
  e: LifecycleEvent,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  // Events that belong to an older process are stale.
  if ('run' in e && e.type !== 'adopted' && e.run !== s.run) return same(s);

  switch (e.type) {
    case 'leases': {
      const leases = e.count;
      const lastUsed = leases === 0 && s.leases > 0 ? now : s.lastUsed;
      const status = { ...s, leases, lastUsed };
      if (s.phase === 'ready') return { status, effects: idleTimerEffects(status, cfg) };
      if (s.phase === 'stopping' && s.draining && leases === 0) {
        return {
          status: { ...status, draining: false },
          effects: [{ kind: 'cancelTimer', name: 'drain' }, ...signalStop(s.run, cfg)],
        };
      }
      return same(status);
    }
    case 'promote': {
      if (s.owner !== 'operator' || (s.phase !== 'ready' && s.phase !== 'starting')) return same(s);
      const status = { ...s, owner: 'gateway' as const };
      return {
        status,
        effects: [
          ...(s.phase === 'ready' ? idleTimerEffects(status, cfg) : []),
          { kind: 'publish' },
        ],
      };
    }
    case 'adopted': {
      if (s.phase !== 'stopped' && s.phase !== 'failed') return same(s);
      const status: ModelStatus = {
        phase: 'ready',
        since: now,
        owner: e.owner,
        run: e.run,
        pid: e.pid,
        port: e.port,
        probes: 0,
        failures: 0,
        healthFailures: 0,
        leases: s.leases,
        lastUsed: now,
        startedAt: e.startedAt,
        readyAt: now,
        adopted: true,
      };
      return {
        status,
        effects: [
          { kind: 'setTimer', name: 'health', ms: cfg.healthIntervalMs, run: e.run },
          ...idleTimerEffects(status, cfg),
          { kind: 'publish' },
        ],
      };
    }
    case 'spawned':
      // A spawn that was in flight when its start already failed or was cancelled: kill it.
      if (s.phase === 'failed' || s.phase === 'stopped') {
        return {
          status: s,
          effects: [
            { kind: 'signal', run: e.run, signal: 'SIGKILL' },
            { kind: 'forget', run: e.run },
          ],
        };
      }
      break;
    default:
      break;
  }

  switch (s.phase) {
    case 'stopped':
      if (e.type === 'ensure') return beginStart(s, e.owner, now, cfg);
      return same(s);

    case 'failed':
      if (e.type === 'ensure') {
        if (s.retryAt !== undefined && now < s.retryAt) {
          return {
            status: s,
            effects: [
              {
                kind: 'rejectWaiters',
                error: {
                  code: 'MODEL_BACKOFF',
                  message: s.reason ?? 'the last start failed',
                  retryAt: s.retryAt,
                },
              },
            ],
          };
        }
        return beginStart(s, e.owner, now, cfg);
      }
      if (e.type === 'clear') {
        return {
          status: {
            ...initialStatus(now),
            run: s.run,
            leases: s.leases,
            lastUsed: s.lastUsed,
            reason: 'cleared by operator',
          },
          effects: [{ kind: 'publish' }],
        };
      }
      return same(s);

    case 'starting':
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
            effects: [{ kind: 'spawn', run: s.run, owner: s.owner ?? 'gateway' }],
          };
        case 'capacityDenied':
          if (s.step !== 'capacity') return same(s);
          return {
            status: {
              ...s,
              phase: 'stopped',
              since: now,
              reason: e.reason,
              step: undefined,
              owner: undefined,
            },
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
              { kind: 'setTimer', name: 'probe', ms: probeDelay(0, cfg), run: s.run },
              { kind: 'publish' },
            ],
          };
        case 'spawnFailed':
          return failStart(
            { ...s, step: 'spawning' },
            now,
            cfg,
            { code: e.code, message: e.reason },
            false,
          );
        case 'timer':
          if (e.name === 'probe' && s.step === 'loading')
            return { status: s, effects: [{ kind: 'probe', run: s.run }] };
          if (e.name === 'startTimeout') {
            const waited = Math.round(cfg.startTimeoutMs / 1000);
            const message =
              s.step === 'capacity'
                ? `model did not get capacity to start within ${waited}s`
                : `model did not become ready within ${waited}s (startTimeout); its process group was killed`;
            return failStart(s, now, cfg, { code: 'MODEL_START_TIMEOUT', message }, true);
          }
          return same(s);
        case 'probeResult':
          if (s.step !== 'loading') return same(s);
          if (e.ok) {
            const status: ModelStatus = {
              ...s,
              phase: 'ready',
              since: now,
              step: undefined,
              reason: undefined,
              failures: 0,
              retryAt: undefined,
              readyAt: now,
              lastUsed: now,
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
          return {
            status: { ...s, probes: s.probes + 1 },
            effects: [
              { kind: 'setTimer', name: 'probe', ms: probeDelay(s.probes + 1, cfg), run: s.run },
            ],
          };
        case 'exited': {
          const message = `model process ${describeExit(e.code, e.signal)} during start${lastLines(e.logTail)}`;
          // The leader is gone; kill the group too in case it left a grandchild behind.
          return failStart(
            s,
            now,
            cfg,
            { code: 'MODEL_START_FAILED', message, logTail: e.logTail },
            true,
          );
        }
        case 'stop': {
          const t = beginStop(s, e.reason, false, now, cfg);
          const effects = t.effects.filter(
            (x) => !(x.kind === 'signal' || x.kind === 'watchGroup' || x.kind === 'setTimer'),
          );
          const error: StartError = {
            code: 'MODEL_STOPPED',
            message: `model was stopped while starting (${e.reason})`,
          };
          if (s.step === 'capacity' || s.step === 'spawning') {
            // No process yet (a spawn in flight is killed when it reports back, see 'spawned' in stopping).
            if (s.step === 'capacity') {
              return {
                status: { ...t.status, phase: 'stopped', step: undefined, owner: undefined },
                effects: [
                  ...effects,
                  { kind: 'releaseCapacity' },
                  { kind: 'rejectWaiters', error },
                ],
              };
            }
            return { status: t.status, effects: [...effects, { kind: 'rejectWaiters', error }] };
          }
          return { status: t.status, effects: [...t.effects, { kind: 'rejectWaiters', error }] };
        }
        default:
          return same(s);
      }

    case 'ready':
      switch (e.type) {
        case 'ensure':
          if (e.owner === 'operator' && s.owner !== 'operator') {
            const status = { ...s, owner: 'operator' as const };
            return {
              status,
              effects: [
                { kind: 'resolveWaiters' },
                ...idleTimerEffects(status, cfg),
                { kind: 'publish' },
              ],
            };
          }
          return { status: s, effects: [{ kind: 'resolveWaiters' }] };
        case 'timer':
          if (e.name === 'idle') {
            if (s.leases > 0 || s.owner !== 'gateway') return same(s);
            return beginStop(
              s,
              `idle for ${Math.round(cfg.idleTimeoutMs / 1000)}s`,
              true,
              now,
              cfg,
            );
          }
          if (e.name === 'health') {
            // Never probe a busy model: its requests are proof enough.
            if (s.leases > 0) {
              return same(s);
            }
            return { status: s, effects: [{ kind: 'probe', run: s.run }] };
          }
          return same(s);
        case 'probeResult': {
          const next = {
            kind: 'setTimer',
            name: 'health',
            ms: cfg.healthIntervalMs,
            run: s.run,
          } as const;
          if (e.ok) return { status: { ...s, healthFailures: 0 }, effects: [next] };
          const healthFailures = s.healthFailures + 1;
          if (healthFailures >= cfg.healthFailureLimit) {
            return beginStop(
              { ...s, healthFailures },
              `health check failed ${healthFailures} times`,
              false,
              now,
              cfg,
            );
          }
          return { status: { ...s, healthFailures }, effects: [next] };
        }
        case 'exited': {
          const reason = `model process ${describeExit(e.code, e.signal)} while ready${lastLines(e.logTail)}`;
          return {
            status: {
              ...s,
              phase: 'stopped',
              since: now,
              reason,
              pid: undefined,
              port: undefined,
              owner: undefined,
              adopted: undefined,
              readyAt: undefined,
            },
            effects: [
              ...cancelAll(),
              { kind: 'signal', run: s.run, signal: 'SIGKILL' },
              { kind: 'forget', run: s.run },
              { kind: 'releaseCapacity' },
              { kind: 'publish' },
            ],
          };
        }
        case 'stop':
          return beginStop(s, e.reason, e.drain, now, cfg);
        default:
          return same(s);
      }

    case 'stopping':
      switch (e.type) {
        case 'ensure':
          return same({
            ...s,
            restartAfterStop: s.restartAfterStop === 'operator' ? 'operator' : e.owner,
          });
        case 'stop': {
          // An explicit stop cancels a restart that a request asked for meanwhile.
          const effects: Effect[] = s.restartAfterStop
            ? [
                {
                  kind: 'rejectWaiters',
                  error: { code: 'MODEL_STOPPED', message: `model was stopped (${e.reason})` },
                },
              ]
            : [];
          const status = { ...s, restartAfterStop: undefined };
          if (!e.drain && s.draining) {
            return {
              status: { ...status, draining: false, reason: e.reason },
              effects: [
                ...effects,
                { kind: 'cancelTimer', name: 'drain' },
                ...signalStop(s.run, cfg),
              ],
            };
          }
          return { status, effects };
        }
        case 'spawned':
          // The stop came while the spawn was in flight: kill what just started.
          return {
            status: { ...s, pid: e.pid, port: e.port },
            effects: signalStop(s.run, cfg),
          };
        case 'spawnFailed':
          return finishStop(s, now, cfg, false);
        case 'timer':
          if (e.name === 'drain' && s.draining) {
            return { status: { ...s, draining: false }, effects: signalStop(s.run, cfg) };
          }
          if (e.name === 'kill')
            return { status: s, effects: [{ kind: 'signal', run: s.run, signal: 'SIGKILL' }] };
          return same(s);
        case 'exited':
          return same({ ...s, exited: true });
        case 'groupGone':
          return finishStop(s, now, cfg, true);
        default:
          return same(s);
      }
  }
}

function finishStop(
  s: ModelStatus,
  now: number,
  cfg: LifecycleSettings,
  hadProcess: boolean,
): Transition {
  const stopped: ModelStatus = {
    phase: 'stopped',
    since: now,
    reason: s.reason,
    run: s.run,
    probes: 0,
    failures: s.failures,
    healthFailures: 0,
    leases: s.leases,
    lastUsed: s.lastUsed,
  };
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
