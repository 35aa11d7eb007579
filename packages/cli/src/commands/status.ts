import { queueTable } from '../format.js';
import { statusJson, statusTable } from '../status-view.js';
import { call, configFor, type GlobalOptions } from './control.js';

/**
 * `mlx-gateway status [--json]`: every configured local model with its state, owner, process,
 * resident memory, uptime, idle countdown and requests in flight. `--json` prints the stable
 * shape documented in docs/operations.md (StatusJson), for scripts.
 */
export async function status(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const snapshot = await call(configFor(opts), { cmd: 'status' });
  const now = Date.now();
  process.stdout.write(
    opts.json
      ? `${JSON.stringify(statusJson(snapshot, now), null, 2)}\n`
      : `${statusTable(snapshot.models, now)}\n`,
  );
  const queues = opts.json ? '' : queueTable(snapshot.models);
  if (queues !== '') process.stdout.write(`\n${queues}\n`);
}
