import type { EventPublisher, Owner } from '@mlx-gateway/protocol';
import type { GatewayConfig, LocalModelConfig } from '@mlx-gateway/shared/config';
import type { CapacityLimits } from '../capacity/capacity-planner.js';
import { ModelController, type ControllerHost } from '../lifecycle/model-controller.js';
import type { LifecycleSettings } from '../lifecycle/model-state.js';
import { ModelLog } from '../process/model-log.js';
import type { ReloadHost } from './reload-config.js';

/** The parts of the supervisor a reload changes. */
export interface SupervisorParts {
  config(): GatewayConfig;
  setConfig(config: GatewayConfig): void;
  readConfig: (() => GatewayConfig) | undefined;
  parts: {
    controllers: Map<string, ModelController>;
    /** Removed models still draining: their leases still reach them. */
    retiring: Map<string, ModelController>;
    logs: Map<string, ModelLog>;
  };
  logsDir: string;
  /** The object the capacity planner reads its limits from. */
  capacityLimits: CapacityLimits;
  lifecycleSettings(model: LocalModelConfig): LifecycleSettings;
  controllerHost: ControllerHost;
  events: EventPublisher;
  stopRun(c: ModelController, reason: string): Promise<unknown>;
  ensureReady(c: ModelController, owner: Owner): Promise<void>;
  refuseWhenShuttingDown(): void;
  log(obj: object, msg: string): void;
}

/** The reload's view of the supervisor (reload-config.ts), over its parts. */
export function supervisorReloadHost(p: SupervisorParts): ReloadHost {
  const { controllers, retiring, logs } = p.parts;
  return {
    config: () => p.config(),
    readConfig: () => {
      if (p.readConfig === undefined) {
        throw new Error('this supervisor was not started from a config file it can read again');
      }
      return p.readConfig();
    },
    useConfig: (config) => {
      p.setConfig(config);
      const sv = config.supervisor;
      Object.assign(p.capacityLimits, {
        maxLoadedModels: sv.maxLoadedModels,
        memoryBudgetBytes: sv.memoryBudgetBytes,
        waitMs: sv.capacityWaitMs,
      });
    },
    controller: (name) => controllers.get(name),
    addModel: (model) => {
      const c = new ModelController(model, p.lifecycleSettings(model), p.controllerHost);
      controllers.set(model.name, c);
      logs.set(model.name, new ModelLog(p.logsDir, model.name));
      p.events.publish(c.info());
    },
    reconfigure: (c, model) => c.reconfigure(model, p.lifecycleSettings(model)),
    retireModel: (c) => {
      controllers.delete(c.name);
      retiring.set(c.name, c);
    },
    dropModel: (c) => {
      if (retiring.get(c.name) === c) retiring.delete(c.name);
      // Its log stays on disk; a model added again under the name opens it again.
      if (!controllers.has(c.name)) logs.delete(c.name);
    },
    stopRun: (c, reason) => p.stopRun(c, reason),
    ensureReady: (c, owner) => p.ensureReady(c, owner),
    publishConfig: (generation, file) => p.events.publishConfig(generation, file),
    refuseWhenShuttingDown: () => p.refuseWhenShuttingDown(),
    log: (obj, msg) => p.log(obj, msg),
  };
}
