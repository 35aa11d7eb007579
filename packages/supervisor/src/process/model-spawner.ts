import { closeSync } from 'node:fs';
import type { Owner } from '@mlx-gateway/protocol';
import type { LocalModelConfig, SupervisorConfig } from '@mlx-gateway/shared/config';
import type { PortAllocator } from '../ports/port-allocator.js';
import type { ChildRegistry } from './child-registry.js';
import { configFingerprint } from './config-fingerprint.js';
import type { Lifeline } from './lifeline.js';
import type { ModelLog } from './model-log.js';
import { processCommandLine, processStartTime } from './process-table.js';
import { spawnModel, type SpawnedChild } from './spawn-model.js';

export interface ModelSpawnerDeps {
  ports: PortAllocator;
  lifeline: Lifeline;
  registry: ChildRegistry;
  portRanges: Pick<SupervisorConfig, 'gatewayPorts' | 'operatorPorts'>;
  /** Epoch ms (the log's start marker and the registry's start time). */
  now: () => number;
  onSpawned: (fields: { model: string; pid: number; port: number; owner: Owner }) => void;
}

/**
 * Starts one run of a model: a port from the owner's range, the command line with `${PORT}`
 * and `${HOST}` filled in, output into the model's log, and the child recorded with the
 * lifeline (killed if we die) and in the registry (adopted by the next supervisor).
 */
export class ModelSpawner {
  constructor(private readonly deps: ModelSpawnerDeps) {}

  /** Rejects with a coded error (NO_FREE_PORT) or the spawn's own error. */
  async spawn(
    config: LocalModelConfig,
    log: ModelLog,
    run: number,
    owner: Owner,
  ): Promise<SpawnedChild & { port: number }> {
    const { ports, lifeline, registry, now } = this.deps;
    const port = await ports.allocate(owner);
    if (port === undefined) {
      const range =
        owner === 'gateway'
          ? this.deps.portRanges.gatewayPorts
          : this.deps.portRanges.operatorPorts;
      throw Object.assign(
        new Error(`no free port in the ${owner} range ${range.from}-${range.to}`),
        { code: 'NO_FREE_PORT' },
      );
    }
    const argv = config.argv.map((a) =>
      a.replaceAll('${PORT}', String(port)).replaceAll('${HOST}', '127.0.0.1'),
    );
    const fd = log.openForRun(run, argv, new Date(now()));
    let child: SpawnedChild;
    try {
      child = await spawnModel({ argv, env: config.env, logFd: fd });
    } catch (err) {
      ports.release(port);
      throw err;
    } finally {
      closeSync(fd);
    }
    const startTime = processStartTime(child.pid) ?? '';
    lifeline.watch(child.pid, startTime);
    registry.set({
      model: config.name,
      pid: child.pid,
      startTime,
      commandLine: processCommandLine(child.pid) ?? argv.join(' '),
      port,
      owner,
      startedAt: now(),
      fingerprint: configFingerprint(config),
    });
    this.deps.onSpawned({ model: config.name, pid: child.pid, port, owner });
    return { ...child, port };
  }
}
