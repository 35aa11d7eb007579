import { existsSync } from 'node:fs';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { RunningSupervisor } from './supervisor-process.js';

/** How often a supervisor this `up` did not start is checked (it is not our child). */
const POLL_MS = 500;

export interface SupervisorWatch {
  /** Settles when the supervisor is gone: 'shut down' (exit 0), or what happened; never while it runs. */
  died: Promise<string>;
  stop(): void;
}

/**
 * Notices a supervisor dying under a running `up`: at once for the one it started (its exit
 * event), within half a second for a local one it found running (its pid checked). Either
 * way a shutdown someone asked for ends `up` cleanly. A supervisor on another host (tcp://) is
 * not watched.
 */
export function watchSupervisor(
  config: GatewayConfig,
  supervisor: RunningSupervisor,
): SupervisorWatch {
  let timer: NodeJS.Timeout | undefined;
  let active = true;
  const died = new Promise<string>((resolve) => {
    if (supervisor.exited) {
      void supervisor.exited.then((code) => {
        if (!active) return;
        // Exit code 0 is a shutdown someone asked for (`mlx-gateway down`), not a crash.
        resolve(
          code === 0
            ? 'shut down'
            : `exited${code === null ? ' on a signal' : ` with code ${code}`}`,
        );
      });
      return;
    }
    const endpoint = config.supervisor.controlEndpoint;
    if (!endpoint.startsWith('ipc://')) return;
    const socketFile = endpoint.slice('ipc://'.length);
    timer = setInterval(() => {
      try {
        process.kill(supervisor.pid, 0);
      } catch (err) {
        // A supervisor that shut down (`mlx-gateway down`, SIGTERM) removed its socket file; a
        // killed one could not. Not our child, so its exit code is not ours to read.
        if ((err as NodeJS.ErrnoException).code === 'ESRCH')
          resolve(existsSync(socketFile) ? 'is gone' : 'shut down');
      }
    }, POLL_MS);
    timer.unref();
  });
  return {
    died,
    stop: () => {
      active = false;
      if (timer) clearInterval(timer);
    },
  };
}
