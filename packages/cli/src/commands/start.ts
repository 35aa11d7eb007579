import { explainSpawnText } from '../explain-error.js';
import { StartProgress, supervisorProgress } from '../start-progress.js';
import { statusTable } from '../status-view.js';
import { openSupervisorClient } from '../supervisor-client.js';
import {
  assertModelKnown,
  call,
  configFor,
  START_TIMEOUT_MS,
  type GlobalOptions,
} from './control.js';

/**
 * `mlx-gateway start MODEL`: an operator start that shows its progress while the model loads
 * (the elapsed time and the model server's last log line; see StartProgress) and returns when
 * the model is ready (exit 0, its row printed) or has failed (exit 1 with the reason and the
 * last log lines the supervisor gives).
 */
export async function start(model: string, opts: GlobalOptions): Promise<void> {
  const config = configFor(opts);
  assertModelKnown(config, model);
  const name = config.models.find((m) => m.name === model || m.aliases.includes(model))?.name;
  // Progress on stderr: stdout keeps only the result, for scripts.
  const watcher = await openSupervisorClient(config, 2_000);
  const progress = new StartProgress({
    model: name ?? model,
    source: supervisorProgress(watcher, name ?? model),
    out: process.stderr,
  });
  progress.start();
  let info;
  try {
    info = await call(config, { cmd: 'start', model }, START_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof Error) err.message = explainSpawnText(err.message, model);
    throw err;
  } finally {
    await progress.stop();
    watcher.close();
  }
  process.stdout.write(`${statusTable([info], Date.now())}\n`);
}
