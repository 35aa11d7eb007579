import type { Effect, PhaseHandler } from './lifecycle-events.js';
import type { StoppingStatus } from './model-status.js';
import { finishStop, same, signalStop } from './transition-steps.js';

/**
 * A stop under way: drain leases (up to the drain deadline), SIGTERM the group, SIGKILL after
 * the grace period; stopped only once the whole group is gone. A request meanwhile starts the
 * model again after the stop; an explicit stop cancels that.
 */
export const onStopping: PhaseHandler<StoppingStatus> = (s, e, now, cfg) => {
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
          effects: [...effects, { kind: 'cancelTimer', name: 'drain' }, ...signalStop(s.run, cfg)],
        };
      }
      return { status, effects };
    }
    case 'spawned':
      // The stop came while the spawn was in flight: kill what just started.
      return { status: { ...s, pid: e.pid, port: e.port }, effects: signalStop(s.run, cfg) };
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
};
