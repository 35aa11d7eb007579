import { spawn } from 'node:child_process';

export interface SpawnRequest {
  argv: string[];
  env: Record<string, string>;
  /** Descriptor of the model's log file: stdout and stderr go straight into it. */
  logFd: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface SpawnedChild {
  pid: number;
  /** Settles when the leader process exits (its group may live on). */
  exited: Promise<ExitInfo>;
}

/**
 * Starts a model server as the leader of a new process group (so that a stop reaches its
 * grandchildren too), with stdin closed and output into the model's log file. Rejects if the
 * command cannot be started at all (not found, not executable), with Node's spawn error (its
 * `code`, `syscall` and `path` are what explainSpawnFailure reads).
 *
 * Plain node:child_process: the supervisor needs no pipes, no result object and no cleanup
 * hooks, and a process runner library would cost it ~2-4 MB resident for nothing (issue 17).
 */
export function spawnModel(req: SpawnRequest): Promise<SpawnedChild> {
  const [file, ...args] = req.argv;
  if (!file) return Promise.reject(new Error('empty command'));
  const child = spawn(file, args, {
    detached: true,
    // A real descriptor, not a pipe through this process: a child must survive our death
    // without SIGPIPE when keepModelsOnExit is set, and must not block on a full pipe.
    stdio: ['ignore', req.logFd, req.logFd],
    env: { ...process.env, ...req.env },
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise<SpawnedChild>((resolve, reject) => {
    child.once('spawn', () => {
      resolve({ pid: child.pid!, exited });
    });
    child.once('error', (err) => {
      if (child.pid !== undefined) return; // errors after a successful spawn show in `exited`
      reject(err);
    });
  });
}
