import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  ControlServer,
  ErrorCodes,
  EventPublisher,
  ProtocolError,
  type CommandResults,
  type ModelInfo,
  type Owner,
} from '@mlx-gateway/protocol';
import { epochClock, type Clock } from '@mlx-gateway/shared/clock';
import { type GatewayConfig } from '@mlx-gateway/shared/config';
import { preparePaths, type GatewayPaths } from '@mlx-gateway/shared/paths';
import { type CurveServerKeys } from '@mlx-gateway/shared/secrets';
import { CapacityPlanner, type CapacityLimits } from '../capacity/capacity-planner.js';
import { FootprintStore } from '../capacity/footprint-store.js';
import { groupMemoryBytes } from '../capacity/memory-meter.js';
import { MemoryWatch } from '../capacity/memory-watch.js';
import { ModelFootprints } from '../capacity/model-footprints.js';
import { LeaseTable } from '../leases/lease-table.js';
import { TurnTable } from '../leases/turn-table.js';
import { ModelController, type ControllerHost } from '../lifecycle/model-controller.js';
import { PortAllocator } from '../ports/port-allocator.js';
import { ChildRegistry } from '../process/child-registry.js';
import { probeHealth, probeReadiness } from '../process/health-probe.js';
import { Lifeline } from '../process/lifeline.js';
import { ModelLog } from '../process/model-log.js';
import { ModelSpawner } from '../process/model-spawner.js';
import { groupAlive, isAlive, signalGroup } from '../process/process-table.js';
import { TaskRegistry } from '../tasks/task-registry.js';
import type { ZapHandler } from '../curve/zap-handler.js';
import { adoptChildren } from './adopt-children.js';
import {
  commandHandlers,
  runCommand,
  type CommandContext,
  type CommandHandlers,
} from './command-handlers.js';
import { restrictIpcSocket } from './control-endpoint.js';
import { ConfigReloader } from './reload-config.js';
import { supervisorReloadHost } from './reload-host.js';
import { preloadModels } from './preload.js';
import { SupervisorFigures } from './supervisor-figures.js';
import {
  lifecycleSettings,
  notLocalModel,
  startError,
  withDeadline,
  withQueue,
  zapHandler,
  type SupervisorLogger,
} from './supervisor-parts.js';

export type { SupervisorLogger } from './supervisor-parts.js';

export interface SupervisorOptions {
  logger: SupervisorLogger;
  /** Epoch time and timers of every lifecycle, lease and background task; default the system's. */
  clock?: Clock;
  /** Scrubs secrets out of log lines before they leave the supervisor. */
  scrub?: (line: string) => string;
  /**
   * CURVE keys for both sockets (see supervisorCurveKeys); only the listed client public keys
   * are let in. Required for tcp:// endpoints (checkControlEndpoint).
   */
  curve?: CurveServerKeys;
  /** Reads the config file again for `reload` (main.ts: the file it was started with). */
  readConfig?: () => GatewayConfig;
}

const PROBE_TIMEOUT_MS = 2_000;
const MEMORY_SAMPLE_MS = 5_000;

/**
 * The supervisor daemon: owns every model controller, the control and event sockets, the child
 * registry, the lifeline, ports, leases and capacity.
 */
export class Supervisor {
  readonly incarnation = randomUUID();
  readonly paths: GatewayPaths;
  private readonly tasks: TaskRegistry;
  private readonly controllers = new Map<string, ModelController>();
  private readonly retiring = new Map<string, ModelController>(); // removed by a reload, draining
  private readonly capacityLimits: CapacityLimits;
  private readonly reloader: ConfigReloader;
  private readonly logs = new Map<string, ModelLog>();
  private readonly registry: ChildRegistry;
  private readonly lifeline: Lifeline;
  private readonly ports: PortAllocator;
  private readonly leases: LeaseTable;
  /** Turns of models with maxConcurrent, shared by every proxy (leases/turn-table.ts). */
  private readonly turns: TurnTable;
  private readonly capacity: CapacityPlanner;
  private readonly memory: MemoryWatch;
  private readonly control: ControlServer;
  private readonly events: EventPublisher;
  private readonly zap: ZapHandler | undefined;
  private readonly spawner: ModelSpawner;
  private readonly commands: CommandHandlers;
  private readonly figures = new SupervisorFigures();
  private readonly now: () => number;
  private shuttingDown?: Promise<void>;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(
    /** The config in force (a reload replaces it). */
    public config: GatewayConfig,
    private readonly opts: SupervisorOptions,
  ) {
    const clock = opts.clock ?? epochClock;
    this.tasks = new TaskRegistry(clock);
    this.now = () => clock.now();
    this.paths = preparePaths(config.home);
    const sv = config.supervisor;
    this.registry = new ChildRegistry(this.paths.registry);
    this.lifeline = new Lifeline({
      keepModelsOnExit: sv.keepModelsOnExit,
      onWarning: (msg) => opts.logger.warn({ component: 'lifeline' }, msg),
    });
    this.ports = new PortAllocator({ gateway: sv.gatewayPorts, operator: sv.operatorPorts });
    this.spawner = new ModelSpawner({
      ports: this.ports,
      lifeline: this.lifeline,
      registry: this.registry,
      portRanges: sv,
      now: this.now,
      onSpawned: (fields) => opts.logger.info(fields, 'model process spawned'),
    });
    this.leases = new LeaseTable(sv.leaseTtlMs, this.now, (model, count) => {
      const c = this.controllers.get(model) ?? this.retiring.get(model);
      c?.dispatch({ type: 'leases', count });
      if (count === 0) this.capacity.evaluate();
    });
    this.capacityLimits = {
      maxLoadedModels: sv.maxLoadedModels,
      memoryBudgetBytes: sv.memoryBudgetBytes,
      waitMs: sv.capacityWaitMs,
    };
    this.turns = new TurnTable(sv.leaseTtlMs, clock, (model) => {
      const m = this.controllers.get(model)?.config;
      if (m?.maxConcurrent === undefined || m.queue === undefined) return undefined;
      return { maxConcurrent: m.maxConcurrent, ...m.queue };
    });
    this.capacity = new CapacityPlanner(
      this.capacityLimits,
      this.tasks,
      new ModelFootprints(
        new FootprintStore(join(this.paths.home, 'footprints.json'), (err) =>
          opts.logger.warn({ err: err.message }, 'could not save the model footprints'),
        ),
      ),
      (model, reason) => opts.logger.info({ model, reason }, 'evicting a model'),
    );
    this.memory = new MemoryWatch(this.capacity, groupMemoryBytes);
    const curve = opts.curve && {
      publicKey: opts.curve.publicKey,
      secretKey: opts.curve.secretKey,
    };
    this.zap = opts.curve && zapHandler(opts.curve, opts.logger);
    this.control = new ControlServer({
      endpoint: sv.controlEndpoint,
      handler: (cmd) => runCommand(this.commands, cmd),
      onWarning: (msg) => opts.logger.warn({ component: 'control' }, msg),
      ...(curve ? { curve } : {}),
    });
    this.events = new EventPublisher({
      endpoint: sv.eventsEndpoint,
      incarnation: this.incarnation,
      ...(curve ? { curve } : {}),
    });
    const host = this.controllerHost();
    const ctx = this.commandContext();
    this.reloader = new ConfigReloader(
      supervisorReloadHost({
        ...ctx,
        config: () => this.config,
        setConfig: (next) => (this.config = next),
        readConfig: opts.readConfig,
        parts: { controllers: this.controllers, retiring: this.retiring, logs: this.logs },
        logsDir: this.paths.logsDir,
        capacityLimits: this.capacityLimits,
        lifecycleSettings: (model) => lifecycleSettings(model, this.config.supervisor),
        controllerHost: host,
        events: this.events,
        log: (obj, msg) => opts.logger.info(obj, msg),
      }),
    );
    this.commands = commandHandlers(ctx);
    for (const model of config.models) {
      if (model.kind !== 'local') continue;
      this.controllers.set(
        model.name,
        new ModelController(model, lifecycleSettings(model, this.config.supervisor), host),
      );
      this.logs.set(model.name, new ModelLog(this.paths.logsDir, model.name));
    }
  }

  async start(): Promise<void> {
    this.lifeline.start();
    // Before any CURVE socket binds: without a handler libzmq lets every client in.
    await this.zap?.start();
    await this.events.start();
    await restrictIpcSocket(this.events.endpoint);
    await this.capacity.footprints.configure([...this.controllers.values()].map((c) => c.config));
    await this.adopt();
    await this.control.start();
    await restrictIpcSocket(this.control.endpoint);
    this.tasks.interval(Math.max(250, Math.floor(this.config.supervisor.leaseTtlMs / 3)), () => {
      this.leases.expire();
      this.turns.expire();
    });
    this.tasks.interval(MEMORY_SAMPLE_MS, () => void this.memory.sample());
    this.opts.logger.info(
      {
        incarnation: this.incarnation,
        control: this.config.supervisor.controlEndpoint,
        models: [...this.controllers.keys()],
      },
      'supervisor ready',
    );
    preloadModels(
      this.controllers.values(),
      (c, owner) => this.ensureReady(c, owner),
      this.opts.logger,
    );
  }

  /** Resolves when the supervisor has shut down (by command or signal). */
  waitForExit(): Promise<void> {
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  snapshot(): CommandResults['status'] {
    return {
      incarnation: this.incarnation,
      seq: this.events.seq,
      models: [...this.controllers.values()].map((c) => withQueue(c.info(), this.turns)),
    };
  }

  /**
   * Graceful shutdown: refuse new work, stop every child we own (drain, SIGTERM, SIGKILL after the
   * grace period) unless keepModelsOnExit, cancel all background work, close sockets.
   */
  shutdown(reason: string): Promise<void> {
    this.shuttingDown ??= (async () => {
      const keep = this.config.supervisor.keepModelsOnExit;
      this.opts.logger.info({ reason, keepModelsOnExit: keep }, 'supervisor shutting down');
      if (!keep) {
        const stops = [...this.controllers.values(), ...this.retiring.values()].map((c) =>
          this.stopRun(c, `supervisor ${reason}`),
        );
        const sv = this.config.supervisor;
        await withDeadline(
          this.tasks.clock,
          Promise.all(stops),
          sv.drainTimeoutMs + sv.stopGraceMs + 2_000,
        );
      }
      await this.tasks.close(1_000);
      this.lifeline.close();
      await this.control.close();
      await this.events.close();
      this.zap?.close();
      this.figures.close();
      this.opts.logger.info({}, 'supervisor stopped');
      for (const w of this.exitWaiters.splice(0)) w();
    })();
    return this.shuttingDown;
  }

  /**
   * Stops the current run of a model and resolves when its processes are gone (the model may
   * already be starting again if a request asked for it meanwhile).
   */
  private stopRun(c: ModelController, reason: string): Promise<unknown> {
    const run = c.status.run;
    c.dispatch({ type: 'stop', reason, drain: true });
    return c.until((s) => s.run !== run || s.phase === 'stopped' || s.phase === 'failed');
  }

  private commandContext(): CommandContext {
    return {
      incarnation: this.incarnation,
      leases: this.leases,
      turns: this.turns,
      registry: this.registry,
      snapshot: () => this.snapshot(),
      controller: (name) => this.controller(name),
      ensureReady: (c, owner) => this.ensureReady(c, owner),
      stopRun: (c, reason) => this.stopRun(c, reason),
      refuseWhenShuttingDown: () => this.refuseWhenShuttingDown(),
      logTail: (model, lines) => this.logTail(model, lines),
      shutdown: (reason) => this.shutdown(reason),
      metrics: async () => ({
        ...(await this.figures.snapshot(this.models(), groupMemoryBytes, Date.now())),
        queues: this.turns.figures(),
      }),
      reload: (dryRun) => this.reloader.reload(dryRun),
      restartWedged: (c, reason, pid) => {
        const restarted = c.restartWedged(reason, pid, this.now());
        if (restarted) this.opts.logger.warn({ model: c.name, reason }, 'model wedged; restarting');
        return restarted;
      },
    };
  }

  private controllerHost(): ControllerHost {
    return {
      tasks: this.tasks,
      requestCapacity: (c) => this.capacity.request(c),
      releaseCapacity: (c) => this.capacity.release(c),
      spawn: (c, run, owner) => this.spawner.spawn(c.config, this.logs.get(c.name)!, run, owner),
      forget: (c, _run, pid, port) => {
        if (pid !== undefined) this.lifeline.unwatch(pid);
        if (port !== undefined) this.ports.release(port);
        this.registry.delete(c.name);
      },
      probe: (c, port) => probeReadiness(port, c.config.healthPath, PROBE_TIMEOUT_MS),
      signalGroup: (pgid, signal) => {
        signalGroup(pgid, signal);
      },
      groupAlive,
      processAlive: isAlive,
      logTail: (c, lines) => this.logTail(c.name, lines),
      publish: (c) => {
        const info = c.info();
        this.events.publish(info);
        this.figures.observe(info, this.now());
        this.opts.logger.info(
          { model: c.name, state: c.status.phase, pid: c.status.pid, reason: c.status.reason },
          'model state',
        );
        if (c.status.phase === 'ready') {
          this.capacity.evaluate();
          // Measured at once: a model over the budget is found now, not at the next sample.
          void this.tasks.track(this.memory.measure(c));
        }
      },
      footprint: (c) => this.capacity.footprints.of(c.name),
    };
  }

  private logTail(model: string, lines: number): string[] {
    const tail = this.logs.get(model)?.tail(lines) ?? [];
    const scrub = this.opts.scrub;
    return scrub ? tail.map(scrub) : tail;
  }

  /** Adopts children a previous supervisor left running; reaps the rest. */
  private async adopt(): Promise<void> {
    const kept = await adoptChildren({
      records: this.registry.load(),
      configured: (name) => this.controllers.get(name)?.config,
      probe: (port, path) => probeHealth(`http://127.0.0.1:${port}${path}`, PROBE_TIMEOUT_MS),
      stopGraceMs: this.config.supervisor.stopGraceMs,
      log: (obj, msg) => this.opts.logger.info(obj, msg),
    });
    for (const r of kept) {
      const c = this.controllers.get(r.model)!;
      this.ports.reserve(r.port);
      this.lifeline.watch(r.pid, r.startTime);
      this.capacity.adopted(c);
      c.adopt(r.pid, r.port, r.owner, r.startedAt);
    }
    this.registry.reset(kept);
  }

  private controller(name: string): ModelController {
    const c = this.controllers.get(name);
    if (c) return c;
    const configured = this.config.models.find((m) => m.name === name || m.aliases.includes(name));
    if (configured?.kind === 'local') return this.controllers.get(configured.name)!;
    throw notLocalModel(this.config, name);
  }

  private async ensureReady(c: ModelController, owner: Owner): Promise<void> {
    const from = this.now();
    try {
      await c.ensure(owner);
      this.figures.waited(c.name, this.now() - from);
    } catch (err) {
      throw startError(err, c.name);
    }
  }

  private refuseWhenShuttingDown(): void {
    if (this.shuttingDown)
      throw new ProtocolError(ErrorCodes.SHUTTING_DOWN, 'the supervisor is shutting down');
  }

  /** For tests and the CLI: current info of every model. */
  models(): ModelInfo[] {
    return [...this.controllers.values()].map((c) => c.info());
  }
}
