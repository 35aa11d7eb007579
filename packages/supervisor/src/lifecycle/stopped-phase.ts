import type { PhaseHandler } from './lifecycle-events.js';
import type { StoppedStatus } from './model-status.js';
import { beginStart, same } from './transition-steps.js';

/** A stopped model starts on the first `ensure`; nothing else moves it. */
export const onStopped: PhaseHandler<StoppedStatus> = (s, e, now, cfg) => {
  if (e.type === 'ensure') return beginStart(s, e.owner, now, cfg);
  return same(s);
};
