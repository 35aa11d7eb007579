import {
  PROTOCOL_VERSION,
  type Command,
  type CommandName,
  type CommandResults,
  type Owner,
} from '@mlx-gateway/protocol';
import type { LeaseTable } from '../leases/lease-table.js';
import type { TurnTable } from '../leases/turn-table.js';
import type { ModelController } from '../lifecycle/model-controller.js';
import type { ChildRegistry } from '../process/child-registry.js';

/** What the commands act on: the supervisor's models, leases and registry. */
export interface CommandContext {
  incarnation: string;
  leases: LeaseTable;
  turns: TurnTable;
  registry: ChildRegistry;
  snapshot(): CommandResults['status'];
  /** The controller of a configured local model (by name or alias); throws a coded error else. */
  controller(name: string): ModelController;
  /** Resolves once the model is ready; throws the start failure as a coded error. */
  ensureReady(c: ModelController, owner: Owner): Promise<void>;
  /** Stops the model's current run; resolves when its processes are gone. */
  stopRun(c: ModelController, reason: string): Promise<unknown>;
  /** Throws SHUTTING_DOWN once a shutdown began. */
  refuseWhenShuttingDown(): void;
  logTail(model: string, lines: number): string[];
  shutdown(reason: string): Promise<void>;
  /** The supervisor's figures for the proxy's /metrics. */
  metrics(): Promise<CommandResults['metrics']>;
  /** Re-reads the config file and applies what changed (reload-config.ts). */
  reload(dryRun: boolean): Promise<CommandResults['reload']>;
  /** Restarts a wedged model (see ModelController.restartWedged); true when this report did. */
  restartWedged(c: ModelController, reason: string, pid: number | undefined): boolean;
}

type CommandOf<K extends CommandName> = Extract<Command, { cmd: K }>;

/** One handler per command of the control socket, each typed by its command and result. */
export type CommandHandlers = {
  [K in CommandName]: (cmd: CommandOf<K>) => CommandResults[K] | Promise<CommandResults[K]>;
};

export function commandHandlers(ctx: CommandContext): CommandHandlers {
  return {
    ping: () => ({ incarnation: ctx.incarnation, pid: process.pid, version: PROTOCOL_VERSION }),
    status: () => ctx.snapshot(),
    ensure: async (cmd) => {
      ctx.refuseWhenShuttingDown();
      const c = ctx.controller(cmd.model);
      await ctx.ensureReady(c, 'gateway');
      // Taken in the same turn as the readiness (no timer can run in between), and not before:
      // a lease held while waiting would keep a stopping model draining forever.
      if (cmd.lease) ctx.leases.acquire(cmd.lease.id, c.name, cmd.lease.holder);
      const info = c.info();
      return { ...info, baseUrl: info.baseUrl ?? `http://127.0.0.1:${info.port}` };
    },
    start: async (cmd) => {
      ctx.refuseWhenShuttingDown();
      const c = ctx.controller(cmd.model);
      await ctx.ensureReady(c, 'operator');
      ctx.registry.update(c.name, { owner: 'operator' });
      return c.info();
    },
    stop: async (cmd) => {
      const c = ctx.controller(cmd.model);
      await ctx.stopRun(c, 'stopped by the operator');
      return c.info();
    },
    promote: (cmd) => {
      const c = ctx.controller(cmd.model);
      c.dispatch({ type: 'promote' });
      ctx.registry.update(c.name, { owner: c.status.owner });
      return c.info();
    },
    clear: (cmd) => {
      const c = ctx.controller(cmd.model);
      c.dispatch({ type: 'clear' });
      return c.info();
    },
    logs: (cmd) => {
      const c = ctx.controller(cmd.model);
      return { model: c.name, lines: ctx.logTail(c.name, cmd.lines ?? 100) };
    },
    'lease.acquire': (cmd) => {
      const c = ctx.controller(cmd.model);
      ctx.leases.acquire(cmd.id, c.name, cmd.holder);
      return { id: cmd.id };
    },
    'lease.release': (cmd) => ({ released: ctx.leases.release(cmd.id) }),
    'lease.renew': (cmd) => {
      ctx.turns.renew(cmd.holder);
      return { renewed: ctx.leases.renew(cmd.holder), ttlMs: ctx.leases.ttl };
    },
    'turn.acquire': async (cmd) => {
      const c = ctx.controller(cmd.model);
      const claim = { held: cmd.held, waitedMs: cmd.waitedMs, adopted: c.status.adopted };
      const waited = ctx.turns.acquire(cmd.id, c.name, cmd.holder, claim);
      return { id: cmd.id, waitedMs: typeof waited === 'number' ? waited : await waited };
    },
    'turn.release': (cmd) => ({ released: ctx.turns.release(cmd.id) }),
    metrics: () => ctx.metrics(),
    reload: (cmd) => ctx.reload(cmd.dryRun ?? false),
    wedged: (cmd) => {
      const c = ctx.controller(cmd.model);
      const restarted = ctx.restartWedged(c, cmd.reason, cmd.pid);
      return { ...c.info(), restarted };
    },
    shutdown: () => {
      setImmediate(() => void ctx.shutdown('shutdown command'));
      return { stopping: true };
    },
  };
}

/** Runs a command with its handler (the map is indexed by the command's own name). */
export async function runCommand(handlers: CommandHandlers, cmd: Command): Promise<unknown> {
  const handler = handlers[cmd.cmd] as (cmd: Command) => unknown;
  return handler(cmd);
}
