import type { LifecycleSettings, PhaseHandler, Transition } from './lifecycle-events.js';
import type { ReadyStatus } from './model-status.js';
import {
  beginStop,
  cancelAll,
  describeExit,
  idleTimerEffects,
  lastLines,
  same,
  toStopped,
} from './transition-steps.js';

/**
 * A ready model serves; it is health-checked while idle, stopped when idle too long (gateway
 * models only), on repeated failed health checks or on request, and marked stopped if its
 * process dies.
 */
export const onReady: PhaseHandler<ReadyStatus> = (s, e, now, cfg) => {
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
        if (s.leases > 0 || s.owner !== 'gateway' || cfg.pinned) return same(s);
        const reason = `idle for ${Math.round(cfg.idleTimeoutMs / 1000)}s`;
        return beginStop(s, reason, true, now, cfg);
      }
      // Never probe a busy model: its requests are proof enough.
      if (e.name === 'health' && s.leases === 0)
        return { status: s, effects: [{ kind: 'probe', run: s.run }] };
      return same(s);
    case 'probeResult':
      return healthChecked(s, e.ok, now, cfg);
    case 'exited': {
      const reason = `model process ${describeExit(e.code, e.signal)} while ready${lastLines(e.logTail)}`;
      return {
        status: toStopped(s, now, reason),
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
    case 'wedged': {
      // Its requests are stuck, so there is nothing to drain; started again once it is gone.
      const t = beginStop(s, `wedged, restarting: ${e.reason}`, false, now, cfg);
      return { status: { ...t.status, restartAfterStop: s.owner }, effects: t.effects };
    }
    default:
      return same(s);
  }
};

function healthChecked(
  s: ReadyStatus,
  ok: boolean,
  now: number,
  cfg: LifecycleSettings,
): Transition {
  const next = { kind: 'setTimer', name: 'health', ms: cfg.healthIntervalMs, run: s.run } as const;
  if (ok) return { status: { ...s, healthFailures: 0 }, effects: [next] };
  const healthFailures = s.healthFailures + 1;
  if (healthFailures >= cfg.healthFailureLimit) {
    return beginStop(s, `health check failed ${healthFailures} times`, false, now, cfg);
  }
  return { status: { ...s, healthFailures }, effects: [next] };
}
