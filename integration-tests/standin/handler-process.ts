// The model "handler process". The real server runs the model in a child process; with
// MLX_STANDIN_GRANDCHILD=1 the stand-in does too: a node process in the SAME process group (not
// detached), which outlives a SIGKILLed parent, so only a kill of the whole group removes it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface HandlerProcess {
  /** The pid shown in "Spawned handler process ... (pid=N)"; our own pid without a grandchild. */
  pid: number;
  /** Asks the grandchild to stop (SIGTERM), as the real server tries on its way out. */
  stop(): void;
}

export const GRANDCHILD_ENTRY = fileURLToPath(new URL('./grandchild.js', import.meta.url));

/** The message the grandchild sends once its signal handlers are in place. */
export const HANDLER_READY = 'standin-handler-ready';

/**
 * Starts the handler. With a grandchild, resolves once it reported ready (so a SIGTERM that
 * follows meets its handlers, not node's default), and rejects if it dies before.
 */
export function spawnHandler(grandchild: boolean): Promise<HandlerProcess> {
  if (!grandchild) return Promise.resolve({ pid: process.pid, stop: () => {} });
  const child = spawn(process.execPath, [GRANDCHILD_ENTRY], {
    // Like Python's multiprocessing: the handler shares the server's stdout and stderr.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: process.env,
  });
  const handler: HandlerProcess = {
    pid: child.pid ?? 0,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      reject(
        new Error(`handler process exited before it was ready (code=${code}, signal=${signal})`),
      );
    child.once('error', reject);
    child.once('exit', onExit);
    child.once('message', (message) => {
      if (message !== HANDLER_READY) return;
      child.off('exit', onExit);
      child.off('error', reject);
      resolve(handler);
    });
  });
}
