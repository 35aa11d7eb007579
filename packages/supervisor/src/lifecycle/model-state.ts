import type { LifecycleEvent, LifecycleSettings, Transition } from './lifecycle-events.js';
import type { ModelStatus, ReadyStatus } from './model-status.js';
import { onFailed } from './failed-phase.js';
import { onReady } from './ready-phase.js';
import { onStarting } from './starting-phase.js';
import { onStopped } from './stopped-phase.js';
import { onStopping } from './stopping-phase.js';
import { idleTimerEffects, same, signalStop } from './transition-steps.js';

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
 * probes live in the effect runner (model-controller.ts); every start or stop decision is made
 * here and in the handler of each phase (<phase>-phase.ts).
 */

export type { StartStep, ModelStatus } from './model-status.js';
export { initialStatus } from './model-status.js';
export type {
  Effect,
  LifecycleEvent,
  LifecycleSettings,
  StartError,
  TimerName,
  Transition,
} from './lifecycle-events.js';
export { DEFAULT_PROBE } from './lifecycle-events.js';
export { failureBackoff, probeDelay } from './transition-steps.js';

export function transition(
  s: ModelStatus,
  e: LifecycleEvent,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  // Events that belong to an older process are stale.
  if ('run' in e && e.type !== 'adopted' && e.run !== s.run) return same(s);
  const any = anyPhase(s, e, now, cfg);
  if (any) return any;
  switch (s.phase) {
    case 'stopped':
      return onStopped(s, e, now, cfg);
    case 'starting':
      return onStarting(s, e, now, cfg);
    case 'ready':
      return onReady(s, e, now, cfg);
    case 'stopping':
      return onStopping(s, e, now, cfg);
    case 'failed':
      return onFailed(s, e, now, cfg);
  }
}

/** Events that every phase handles the same way; undefined for the others. */
function anyPhase(
  s: ModelStatus,
  e: LifecycleEvent,
  now: number,
  cfg: LifecycleSettings,
): Transition | undefined {
  switch (e.type) {
    case 'leases': {
      const lastUsed = e.count === 0 && s.leases > 0 ? now : s.lastUsed;
      const status = { ...s, leases: e.count, lastUsed };
      if (status.phase === 'ready') return { status, effects: idleTimerEffects(status, cfg) };
      if (status.phase === 'stopping' && status.draining && e.count === 0) {
        return {
          status: { ...status, draining: false },
          effects: [{ kind: 'cancelTimer', name: 'drain' }, ...signalStop(s.run, cfg)],
        };
      }
      return same(status);
    }
    case 'promote': {
      if (s.owner !== 'operator' || (s.phase !== 'ready' && s.phase !== 'starting')) return same(s);
      if (s.phase === 'starting')
        return { status: { ...s, owner: 'gateway' }, effects: [{ kind: 'publish' }] };
      const status: ReadyStatus = { ...s, owner: 'gateway' };
      return { status, effects: [...idleTimerEffects(status, cfg), { kind: 'publish' }] };
    }
    case 'adopted': {
      if (s.phase !== 'stopped' && s.phase !== 'failed') return same(s);
      const status: ReadyStatus = {
        phase: 'ready',
        since: now,
        run: e.run,
        failures: 0,
        leases: s.leases,
        lastUsed: now,
        owner: e.owner,
        pid: e.pid,
        port: e.port,
        startedAt: e.startedAt,
        readyAt: now,
        healthFailures: 0,
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
      if (s.phase !== 'failed' && s.phase !== 'stopped') return undefined;
      return {
        status: s,
        effects: [
          { kind: 'signal', run: e.run, signal: 'SIGKILL' },
          { kind: 'forget', run: e.run },
        ],
      };
    default:
      return undefined;
  }
}
