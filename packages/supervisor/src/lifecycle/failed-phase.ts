import type { PhaseHandler } from './lifecycle-events.js';
import type { FailedStatus } from './model-status.js';
import { initialStatus } from './model-status.js';
import { beginStart, same } from './transition-steps.js';

/**
 * A failed model answers every `ensure` at once with the reason until its retry time, then
 * starts again; the operator may clear the failure (and its backoff) at any time.
 */
export const onFailed: PhaseHandler<FailedStatus> = (s, e, now, cfg) => {
  if (e.type === 'ensure') {
    if (now < s.retryAt) {
      return {
        status: s,
        effects: [
          {
            kind: 'rejectWaiters',
            error: { code: 'MODEL_BACKOFF', message: s.reason, retryAt: s.retryAt },
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
};
