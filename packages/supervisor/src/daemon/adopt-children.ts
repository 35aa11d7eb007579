import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import type { ChildRecord } from '../process/child-registry.js';
import {
  groupAlive,
  isAlive,
  processCommandLine,
  processStartTime,
  signalGroup,
} from '../process/process-table.js';
import { configFingerprint } from '../process/config-fingerprint.js';

export interface AdoptOptions {
  records: ChildRecord[];
  configured: (model: string) => LocalModelConfig | undefined;
  probe: (port: number, path: string) => Promise<boolean>;
  stopGraceMs: number;
  log: (obj: object, msg: string) => void;
}

/**
 * Decides, for each child a previous supervisor recorded, whether to adopt it or reap it:
 * - the pid is alive but its start time or command line differ: the pid was reused by an
 *   unrelated process, which is left untouched;
 * - the leader is dead but its group lives on: leftover grandchildren, killed;
 * - it is ours, still configured the same way and /health answers: adopted;
 * - otherwise (config changed, model removed, unhealthy): its group is stopped.
 * Returns the records adopted.
 */
export async function adoptChildren(opts: AdoptOptions): Promise<ChildRecord[]> {
  const adopted: ChildRecord[] = [];
  await Promise.all(
    opts.records.map(async (r) => {
      if (!isAlive(r.pid)) {
        if (groupAlive(r.pid)) {
          opts.log(
            { model: r.model, pgid: r.pid },
            'reaping leftover processes of a dead model server',
          );
          signalGroup(r.pid, 'SIGKILL');
        }
        return;
      }
      if (processStartTime(r.pid) !== r.startTime || processCommandLine(r.pid) !== r.commandLine) {
        opts.log(
          { model: r.model, pid: r.pid },
          'registry entry points at a reused pid; leaving that process alone',
        );
        return;
      }
      const config = opts.configured(r.model);
      const sameConfig = config !== undefined && configFingerprint(config) === r.fingerprint;
      if (sameConfig && (await opts.probe(r.port, config.healthPath))) {
        opts.log(
          { model: r.model, pid: r.pid, port: r.port, owner: r.owner },
          'adopted running model server',
        );
        adopted.push(r);
        return;
      }
      const why = !config
        ? 'no longer configured'
        : !sameConfig
          ? 'its configuration changed'
          : 'it does not answer /health';
      opts.log({ model: r.model, pid: r.pid }, `stopping a surviving model server: ${why}`);
      await stopGroup(r.pid, opts.stopGraceMs);
    }),
  );
  return adopted;
}

async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
  }
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
}
