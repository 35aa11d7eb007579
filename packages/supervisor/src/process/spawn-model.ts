import { execa, type Options } from 'execa';

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
 * command cannot be started at all (not found, not executable).
 */
export function spawnModel(req: SpawnRequest): Promise<SpawnedChild> {
  const [file, ...args] = req.argv;
  if (!file) return Promise.reject(new Error('empty command'));
  const options = {
    detached: true,
    // A real descriptor, not a pipe through this process: a child must survive our death
    // without SIGPIPE when keepModelsOnExit is set, and must not block on a full pipe.
    // (execa accepts descriptors at run time; its types only list them in narrower positions.)
    stdio: ['ignore', req.logFd, req.logFd] as unknown as Options['stdio'],
    env: req.env,
    extendEnv: true,
    cleanup: false,
    reject: false,
  } satisfies Options;

  const child = execa(file, args, options);
  const exited: Promise<ExitInfo> = child.then((r) => ({
    code: r.exitCode ?? null,
    signal: r.signal ?? null,
  }));
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
