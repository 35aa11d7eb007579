import type { ModelInfo, Owner } from '@mlx-gateway/protocol';
import type { Timer } from '@mlx-gateway/shared/clock';
import { localModelFingerprint } from '@mlx-gateway/shared/config';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import type { ProbeOutcome } from '../process/health-probe.js';
import type { SpawnedChild } from '../process/spawn-model.js';
import { explainSpawnFailure } from '../process/spawn-failure.js';
import type { TaskRegistry } from '../tasks/task-registry.js';
import type { Footprint } from '../capacity/model-footprints.js';
import {
  initialStatus,
  transition,
  type Effect,
  type LifecycleEvent,
  type LifecycleSettings,
  type ModelStatus,
  type StartError,
  type TimerName,
} from './model-state.js';
import { toModelInfo } from './model-info.js';

/** What a controller needs from the supervisor around it: processes, ports, probes, capacity. */
export interface ControllerHost {
  /** Background work, on the supervisor's clock (which also dates every transition). */
  tasks: TaskRegistry;
  requestCapacity(c: ModelController): void;
  releaseCapacity(c: ModelController): void;
  /** Allocates a port, opens the log, spawns, records the child; rejects with a coded error. */
  spawn(c: ModelController, run: number, owner: Owner): Promise<SpawnedChild & { port: number }>;
  /** The child of `run` is gone: unregister it, free its port. */
  forget(c: ModelController, run: number, pid: number | undefined, port: number | undefined): void;
  /** Whether the port accepts connections and, if it does, whether its health path answers 2xx. */
  probe(c: ModelController, port: number): Promise<ProbeOutcome>;
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
  groupAlive(pgid: number): boolean;
  /** Liveness of a process that is not our child (adopted). */
  processAlive(pid: number): boolean;
  logTail(c: ModelController, lines: number): string[];
  publish(c: ModelController): void;
  /** The memory the model is admitted with (capacity/model-footprints.ts), when known. */
  footprint?(c: ModelController): Footprint | undefined;
}

/** Error thrown to ensure() callers when a start fails. */
export class StartFailure extends Error {
  constructor(readonly error: StartError) {
    super(error.message);
    this.name = 'StartFailure';
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: StartFailure) => void;
}

const GROUP_POLL_MS = 25;
const ADOPTED_POLL_MS = 500;

/**
 * Runs the lifecycle of one model: feeds events to the pure transition function and carries out
 * the effects it returns. It makes no decision of its own.
 */
export class ModelController {
  private state: ModelStatus;
  private readonly timers = new Map<TimerName, Timer>();
  private waiters: Waiter[] = [];
  private readonly queue: LifecycleEvent[] = [];
  private busy = false;
  private watch?: Timer;
  private readonly listeners = new Set<(s: ModelStatus) => void>();
  memoryBytes?: number;
  /** Restarts because the model was wedged (requests stalled while /health answered). */
  private wedged: { restarts: number; reason?: string; at?: number } = { restarts: 0 };
  /** When the idle timer fires, while it runs (shown by `status` as the idle countdown). */
  private idleStopAt?: number;
  /** Published with the state: the proxy checks it against its own config. */
  private fingerprint: string;

  constructor(
    public config: LocalModelConfig,
    private readonly settings: LifecycleSettings,
    private readonly host: ControllerHost,
  ) {
    this.state = initialStatus(host.tasks.now());
    this.fingerprint = localModelFingerprint(config);
  }

  get name(): string {
    return this.config.name;
  }

  get status(): ModelStatus {
    return this.state;
  }

  /** Resolves when the model is ready; rejects with a StartFailure. Single flight: all callers share one start. */
  ensure(owner: Owner): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.dispatch({ type: 'ensure', owner });
    });
  }

  /** Resolves once the predicate holds for the status (checked now and after every change). */
  until(pred: (s: ModelStatus) => boolean): Promise<ModelStatus> {
    if (pred(this.state)) return Promise.resolve(this.state);
    return new Promise((resolve) => {
      const l = (s: ModelStatus) => {
        if (pred(s)) {
          this.listeners.delete(l);
          resolve(s);
        }
      };
      this.listeners.add(l);
    });
  }

  /**
   * A reload changed the model's config: later starts use it and the settings apply from the
   * next decision on; a process already running is not touched (the caller restarts it).
   */
  reconfigure(config: LocalModelConfig, settings: LifecycleSettings): void {
    this.config = config;
    this.fingerprint = localModelFingerprint(config);
    Object.assign(this.settings, settings);
  }

  /** Records an adopted child (started by an earlier supervisor) as this model's process. */
  adopt(pid: number, port: number, owner: Owner, startedAt: number): void {
    this.dispatch({ type: 'adopted', run: this.state.run + 1, pid, port, owner, startedAt });
    this.watchAdopted(pid);
  }

  info(): ModelInfo {
    const info: ModelInfo = {
      ...toModelInfo(this.config.name, this.state, this.memoryBytes, this.idleStopAt),
      configFingerprint: this.fingerprint,
    };
    const footprint = this.host.footprint?.(this);
    if (footprint) {
      info.footprintBytes = footprint.bytes;
      info.footprintSource = footprint.source;
    }
    const { pin, priority, preload } = this.config;
    if (pin !== undefined) info.pinned = pin;
    if (priority !== undefined) info.priority = priority;
    if (preload !== undefined) info.preload = preload;
    if (this.wedged.restarts > 0) {
      info.wedgedRestarts = this.wedged.restarts;
      info.wedgedReason = this.wedged.reason;
      info.wedgedAt = this.wedged.at;
    }
    return info;
  }

  /**
   * A proxy reported the model wedged: restarts it when it is ready and, if `pid` is given,
   * still that process (a report about an earlier run, or a second proxy's report of the same
   * stall, changes nothing). True when this report restarted it.
   */
  restartWedged(reason: string, pid: number | undefined, at: number): boolean {
    const s = this.state;
    if (s.phase !== 'ready' || (pid !== undefined && pid !== s.pid)) return false;
    this.wedged = { restarts: this.wedged.restarts + 1, reason, at };
    this.dispatch({ type: 'wedged', reason });
    return true;
  }

  dispatch(event: LifecycleEvent): void {
    this.queue.push(event);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        const before = this.state;
        const t = transition(this.state, e, this.host.tasks.now(), this.settings);
        this.state = t.status;
        for (const effect of t.effects) this.run(effect, before);
        if (t.status !== before) for (const l of [...this.listeners]) l(t.status);
      }
    } finally {
      this.busy = false;
    }
  }

  private run(effect: Effect, before: ModelStatus): void {
    const host = this.host;
    switch (effect.kind) {
      case 'requestCapacity':
        host.requestCapacity(this);
        return;
      case 'releaseCapacity':
        host.releaseCapacity(this);
        return;
      case 'spawn':
        this.spawn(effect.run, effect.owner);
        return;
      case 'signal': {
        const pid = this.state.pid ?? before.pid;
        if (pid !== undefined && effect.run === this.state.run)
          host.signalGroup(pid, effect.signal);
        return;
      }
      case 'watchGroup':
        this.watchGroup(effect.run);
        return;
      case 'probe': {
        const port = this.state.port;
        if (port === undefined) return;
        void host.tasks.track(
          host
            .probe(this, port)
            .then(({ ok, listening }) =>
              this.dispatch({ type: 'probeResult', run: effect.run, ok, listening }),
            ),
        );
        return;
      }
      case 'setTimer': {
        this.timers.get(effect.name)?.cancel();
        if (effect.name === 'idle') this.idleStopAt = host.tasks.now() + effect.ms;
        this.timers.set(
          effect.name,
          host.tasks.timeout(effect.ms, () => {
            this.timers.delete(effect.name);
            if (effect.name === 'idle') this.idleStopAt = undefined;
            this.dispatch({ type: 'timer', name: effect.name, run: effect.run });
          }),
        );
        return;
      }
      case 'cancelTimer':
        if (effect.name === 'idle') this.idleStopAt = undefined;
        this.timers.get(effect.name)?.cancel();
        this.timers.delete(effect.name);
        return;
      case 'forget':
        if (this.watch && this.state.phase !== 'stopping') {
          this.watch.cancel();
          this.watch = undefined;
        }
        host.forget(this, effect.run, before.pid, before.port);
        return;
      case 'resolveWaiters':
        for (const w of this.takeWaiters()) w.resolve();
        return;
      case 'rejectWaiters': {
        const failure = new StartFailure(effect.error);
        for (const w of this.takeWaiters()) w.reject(failure);
        return;
      }
      case 'publish':
        host.publish(this);
        return;
    }
  }

  private takeWaiters(): Waiter[] {
    const waiters = this.waiters;
    this.waiters = [];
    return waiters;
  }

  /** Spawns the process of `run` and reports back: spawned then exited, or spawnFailed. */
  private spawn(run: number, owner: Owner): void {
    const host = this.host;
    const spawned = host.spawn(this, run, owner).then(
      (child) => {
        this.dispatch({ type: 'spawned', run, pid: child.pid, port: child.port });
        void host.tasks.track(
          child.exited.then((exit) => {
            const logTail = host.logTail(this, 20);
            this.dispatch({ type: 'exited', run, code: exit.code, signal: exit.signal, logTail });
          }),
        );
      },
      (err: Error & { code?: string }) => {
        const code = err.code === 'NO_FREE_PORT' ? 'NO_FREE_PORT' : 'MODEL_START_FAILED';
        const reason = `could not start the model server: ${explainSpawnFailure(err, this.name, this.config.env['PATH'] ?? process.env['PATH'])}`;
        this.dispatch({ type: 'spawnFailed', run, code, reason });
      },
    );
    void host.tasks.track(spawned);
  }

  /** Polls the process group of `run` until no member is left (the leader may be long gone). */
  private watchGroup(run: number): void {
    const pid = this.state.pid;
    if (pid === undefined) return;
    this.watch?.cancel();
    this.watch = this.host.tasks.interval(GROUP_POLL_MS, () => {
      if (this.host.groupAlive(pid)) return;
      this.watch?.cancel();
      this.watch = undefined;
      this.dispatch({ type: 'groupGone', run });
    });
  }

  /** An adopted process is not our child: no exit event, so watch its liveness. */
  private watchAdopted(pid: number): void {
    const run = this.state.run;
    const t = this.host.tasks.interval(ADOPTED_POLL_MS, () => {
      if (
        this.state.run !== run ||
        this.state.phase === 'stopped' ||
        this.state.phase === 'failed'
      ) {
        t.cancel();
        return;
      }
      if (this.host.processAlive(pid)) return;
      t.cancel();
      this.dispatch({
        type: 'exited',
        run,
        code: null,
        signal: null,
        logTail: this.host.logTail(this, 20),
      });
    });
  }
}
