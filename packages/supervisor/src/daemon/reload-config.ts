import {
  ErrorCodes,
  ProtocolError,
  type Owner,
  type ReloadReport,
  type ReloadRestart,
} from '@mlx-gateway/protocol';
import { ConfigError, type GatewayConfig, type LocalModelConfig } from '@mlx-gateway/shared/config';
import type { ModelController } from '../lifecycle/model-controller.js';
import { configInForce, diffConfig, type ConfigDiff } from './config-diff.js';

/** What a reload acts on: the supervisor's config, its controllers and its event socket. */
export interface ReloadHost {
  /** The config in force. */
  config(): GatewayConfig;
  /** Reads and validates the config file again; throws a ConfigError when it is invalid. */
  readConfig(): GatewayConfig;
  /** Makes `config` the one in force (capacity limits; models are reconfigured one by one). */
  useConfig(config: GatewayConfig): void;
  controller(name: string): ModelController | undefined;
  /** A new local model: its controller and log; it is then known to status and events. */
  addModel(model: LocalModelConfig): void;
  /** Gives a model its new config (and settings); its process is not touched. */
  reconfigure(c: ModelController, model: LocalModelConfig): void;
  /** The model is no longer configured: requests are refused, leases still reach it. */
  retireModel(c: ModelController): void;
  /** A retired model is gone: forget it. */
  dropModel(c: ModelController): void;
  stopRun(c: ModelController, reason: string): Promise<unknown>;
  ensureReady(c: ModelController, owner: Owner): Promise<void>;
  publishConfig(generation: number, file: string | undefined): void;
  refuseWhenShuttingDown(): void;
  log(obj: object, msg: string): void;
}

/**
 * `reload`: reads the config file again, and when it is valid applies what changed. Models
 * whose launch settings changed are restarted once (after draining, only if they ran), removed
 * ones are stopped after draining and forgotten, added ones become available; every other model
 * keeps its process. Reloads run one at a time.
 */
export class ConfigReloader {
  private generationInForce = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ReloadHost) {}

  get generation(): number {
    return this.generationInForce;
  }

  reload(dryRun: boolean): Promise<ReloadReport> {
    const run = this.queue.then(() => this.reloadNow(dryRun));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(dryRun: boolean): Promise<ReloadReport> {
    const host = this.host;
    host.refuseWhenShuttingDown();
    const before = host.config();
    const after = this.read();
    const diff = diffConfig(before, after);
    const file = after.file ?? before.file;
    const report = (generation: number, restarts?: ReloadRestart[]): ReloadReport => ({
      ...(file === undefined ? {} : { file }),
      dryRun,
      generation,
      changed: diff.changed,
      models: diff.models,
      applied: diff.applied,
      needsRestart: diff.needsRestart,
      ...(restarts === undefined ? {} : { restarts }),
    });
    if (dryRun || !diff.changed) return report(this.generationInForce);

    const inForce = configInForce(before, after);
    const pending = this.apply(before, inForce, diff);
    this.generationInForce += 1;
    const generation = this.generationInForce;
    host.log(
      { generation, ...diff.models, applied: diff.applied.map((s) => s.path) },
      'config reloaded',
    );
    // Proxies swap their routes now: added models are known, removed ones refuse new work.
    host.publishConfig(generation, file);
    const restarts = await pending;
    return report(generation, restarts);
  }

  private read(): GatewayConfig {
    try {
      return this.host.readConfig();
    } catch (err) {
      if (err instanceof ConfigError) {
        throw new ProtocolError(
          ErrorCodes.CONFIG_INVALID,
          `the config file is invalid; nothing was changed:\n${err.message}`,
          { file: err.file, problems: err.problems },
        );
      }
      throw err;
    }
  }

  /**
   * Applies the changes that take effect at once, and returns the work that waits on
   * processes (restarts and stops after draining).
   */
  private apply(
    before: GatewayConfig,
    inForce: GatewayConfig,
    diff: ConfigDiff,
  ): Promise<ReloadRestart[]> {
    const host = this.host;
    const locals = new Map(
      inForce.models.flatMap((m) => (m.kind === 'local' ? [[m.name, m] as const] : [])),
    );
    const retired: ModelController[] = [];
    for (const name of diff.models.removed) {
      const c = host.controller(name);
      // A name removed and added again with another kind: only the local one has a controller.
      if (c !== undefined && before.models.some((m) => m.name === name && m.kind === 'local')) {
        host.retireModel(c);
        retired.push(c);
      }
    }
    host.useConfig(inForce);
    // Kept models take their new settings (and the supervisor's) without touching the process.
    for (const name of [...diff.models.updated, ...diff.models.unchanged]) {
      const c = host.controller(name);
      const model = locals.get(name);
      if (c !== undefined && model !== undefined) host.reconfigure(c, model);
    }
    for (const name of diff.models.added) {
      const model = locals.get(name);
      if (model !== undefined) host.addModel(model);
    }
    const restarts = diff.models.restarted.map((name) =>
      this.restart(host.controller(name)!, locals.get(name)!),
    );
    const stops = retired.map(async (c) => {
      await host.stopRun(c, 'removed from the config');
      host.dropModel(c);
    });
    return Promise.all([Promise.all(restarts), Promise.all(stops)]).then(([r]) => r);
  }

  /**
   * A model whose launch settings changed: it takes the new config now; if it ran, it is
   * stopped (draining its requests) and started once with the same owner.
   */
  private async restart(c: ModelController, model: LocalModelConfig): Promise<ReloadRestart> {
    const host = this.host;
    // A start in progress finishes first: the requests waiting for it are served, then drained.
    const phase =
      c.status.phase === 'starting'
        ? (await c.until((s) => s.phase !== 'starting')).phase
        : c.status.phase;
    const running = phase === 'ready';
    const owner = c.status.owner ?? 'gateway';
    const previousPid = c.status.pid;
    host.reconfigure(c, model);
    if (!running) {
      // A failed start may have failed for what just changed: the next request tries at once.
      if (c.status.phase === 'failed') c.dispatch({ type: 'clear' });
      return { model: c.name, outcome: 'took new settings' };
    }
    await host.stopRun(c, 'restarting: its launch settings changed (config reload)');
    try {
      await host.ensureReady(c, owner);
      const pid = c.status.pid;
      return {
        model: c.name,
        outcome: 'restarted',
        ...(pid === undefined ? {} : { pid }),
        ...(previousPid === undefined ? {} : { previousPid }),
      };
    } catch (err) {
      return { model: c.name, outcome: 'failed', error: (err as Error).message };
    }
  }
}
