// The simulated model load: a heartbeat every progressMs, then ready after loadMs, or one of the
// failure modes part-way (crash, error-then-exit-0) or never.
import type { FailMode } from './behaviour.js';

export interface LoadHooks {
  progress(elapsedMs: number): void;
  ready(): void;
  /** The handler crashed (MLX_STANDIN_FAIL=crash-during-load). */
  crash(): void;
  /** The load failed and the server will exit 0 anyway (MLX_STANDIN_FAIL=exit0-after-error). */
  failed(): void;
}

export interface LoadPlan {
  loadMs: number;
  progressMs: number;
  fail: FailMode;
}

export interface Loading {
  cancel(): void;
}

/** Starts the load; `now` is injectable so the schedule can be tested without waiting. */
export function startLoading(plan: LoadPlan, hooks: LoadHooks, now = Date.now): Loading {
  const started = now();
  const heartbeat = setInterval(() => hooks.progress(now() - started), plan.progressMs);
  let finish: NodeJS.Timeout | undefined;
  const end = (hook: () => void) => () => {
    clearInterval(heartbeat);
    hook();
  };
  if (plan.fail === 'none') finish = setTimeout(end(hooks.ready), plan.loadMs);
  else if (plan.fail === 'crash-during-load') {
    finish = setTimeout(end(hooks.crash), Math.floor(plan.loadMs / 2));
  } else if (plan.fail === 'exit0-after-error') {
    finish = setTimeout(end(hooks.failed), Math.floor(plan.loadMs / 2));
  }
  return {
    cancel() {
      clearInterval(heartbeat);
      if (finish) clearTimeout(finish);
    },
  };
}
