import { ErrorCodes } from '@mlx-gateway/protocol';
import type { Clock } from '@mlx-gateway/shared/clock';
import { LiveList } from '@mlx-gateway/shared/memory';
import type { ProxyLogger } from '../logging/logger.js';
import type { LeaseClaim, ModelSupervisor, TurnOptions } from '../supervisor/model-supervisor.js';
import type { LeaseManager } from './lease-manager.js';

/** Gives a turn back; calling it again does nothing. */
export type TurnRelease = () => void;

/** A local model as far as turns go. */
export interface TurnModel {
  name: string;
  maxConcurrent?: number;
  queue?: { size: number; timeoutMs: number };
}

/** This proxy's side of a model's line, as /v1/gateway/models shows it. */
export interface QueueStats {
  maxConcurrent: number;
  /** This proxy's requests holding a turn, and waiting for one. */
  active: number;
  waiting: number;
  /** The longest wait of this proxy's requests now waiting, ms. */
  oldestWaitMs: number;
  /** This proxy's requests that waited, their waits in all (ms), and those refused. */
  waited: number;
  waitedMs: number;
  refused: number;
}

export interface TurnClientOptions {
  supervisor: ModelSupervisor;
  leases: LeaseManager;
  clock: Clock;
  /** Added to a queue's timeout for the control request's own deadline. */
  controlTimeoutMs: number;
  logger: ProxyLogger;
}

interface Line {
  maxConcurrent: number;
  active: number;
  /** When each request of this proxy now in line asked (arrival order). */
  waiting: LiveList<{ since: number }>;
  waited: number;
  waitedMs: number;
  refused: number;
}

/** How many times one request asks again after the control connection was lost under it. */
const MAX_REASKS = 3;

/** A turn this proxy holds, re-declared to a supervisor that may have restarted. */
interface HeldTurn {
  readonly id: string;
  readonly model: string;
  /** A re-declaration in flight: the release goes after it, so that it cannot revive the turn. */
  redeclaring?: Promise<void>;
}

/** One request's ask: when it began (clock ms), until when it may wait, and its abort. */
interface Ask {
  model: string;
  claim: LeaseClaim;
  since: number;
  deadline: number;
  signal: AbortSignal;
}

/**
 * Turns of local models with `maxConcurrent`, asked of the supervisor (`turn.acquire`), which
 * keeps one line per model for every proxy of the gateway: arrival order across proxies, one
 * `maxConcurrent` for all of them. A free turn costs one control round trip; a request that
 * must wait gets a promise the exchange treats like a model start (heartbeats to a streaming
 * client). Refusals (line full, waited too long) come back as 429 with Retry-After. The turn
 * goes back (without waiting for the answer) when the request ends; while this proxy has turns
 * or requests in line its leases are renewed, which renews them too.
 *
 * A supervisor that restarts (its models adopted, still serving) knows none of this proxy's
 * turns: each time the control connection comes up, and at each lease renewal (as shared
 * leases are taken again), the turns held are re-declared (`held`, counted as active at once),
 * and a request whose ask was lost with the connection asks again once it is back, saying how
 * long it has waited (back in line by arrival), within its own deadline.
 */
export class TurnClient {
  private readonly lines = new Map<string, Line>();
  /** Turns granted and not given back (a LiveList, as they come and go with requests). */
  private readonly held = new LiveList<HeldTurn>();
  private counter = 0;
  /** Whether the control connection is up (undefined: not told yet). */
  private up: boolean | undefined;
  /** Control connections lost so far: an ask during which one was lost may ask again. */
  private drops = 0;
  /** Asks waiting for the connection to come back. */
  private readonly reconnected = new Set<() => void>();
  /** The re-declarations sent when the connection came up, until answered. */
  private redeclared: Promise<void> | undefined;

  constructor(private readonly options: TurnClientOptions) {
    options.supervisor.onConnection?.((up) => this.onConnection(up));
    options.leases.onRenew(() => void this.redeclare());
  }

  /** A turn for a model with `maxConcurrent`, else undefined (nothing to wait for). */
  acquire(model: TurnModel, signal: AbortSignal): Promise<TurnRelease> | undefined {
    const { supervisor, leases, clock } = this.options;
    if (model.maxConcurrent === undefined || supervisor.acquireTurn === undefined) return undefined;
    const line = this.line(model.name, model.maxConcurrent);
    this.counter += 1;
    const claim = { id: `${leases.holder}:turn:${this.counter}`, holder: leases.holder };
    const entry = { since: clock.now() };
    const waiting = line.waiting.add(entry);
    leases.pin();
    const timeoutMs = (model.queue?.timeoutMs ?? 120_000) + this.options.controlTimeoutMs;
    const ask = {
      model: model.name,
      claim,
      since: entry.since,
      deadline: entry.since + timeoutMs,
      signal,
    };
    return this.ask(ask, 0).then(
      (waitedMs) => {
        line.waiting.remove(waiting);
        line.active += 1;
        if (waitedMs > 0) {
          line.waited += 1;
          line.waitedMs += waitedMs;
        }
        return this.holding(line, model.name, claim.id);
      },
      (err: unknown) => {
        line.waiting.remove(waiting);
        if ((err as { code?: string }).code === ErrorCodes.RATE_LIMITED) {
          line.refused += 1;
          leases.unpin();
        } else {
          // Gone from here (client left, no answer): the supervisor may still hold it.
          this.giveBack(claim.id);
        }
        throw err;
      },
    );
  }

  stats(name: string): QueueStats | undefined {
    const line = this.lines.get(name);
    if (line === undefined) return undefined;
    const now = this.options.clock.now();
    let oldest = now;
    for (const entry of line.waiting.items()) oldest = Math.min(oldest, entry.since);
    return {
      maxConcurrent: line.maxConcurrent,
      active: line.active,
      waiting: line.waiting.size,
      oldestWaitMs: Math.round(now - oldest),
      waited: line.waited,
      waitedMs: Math.round(line.waitedMs),
      refused: line.refused,
    };
  }

  /** The release of a granted turn; it is re-declared until then. */
  private holding(line: Line, model: string, id: string): TurnRelease {
    const turn: HeldTurn = { id, model };
    const held = this.held.add(turn);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      line.active -= 1;
      this.held.remove(held);
      if (turn.redeclaring === undefined) this.giveBack(id);
      else void turn.redeclaring.then(() => this.giveBack(id));
    };
  }

  /**
   * Asks for the turn; when the connection was lost under the ask (the supervisor restarted,
   * or the link broke), waits for it to come back and asks again with the time waited so far.
   */
  private async ask(ask: Ask, attempt: number): Promise<number> {
    const { supervisor, clock } = this.options;
    // Asks made just as the connection came back go after the turns re-declared then.
    if (this.redeclared !== undefined) await this.redeclared;
    const drops = this.drops;
    const options: TurnOptions = {
      timeoutMs: Math.max(1, ask.deadline - clock.now()),
      signal: ask.signal,
    };
    if (attempt > 0) options.waitedMs = Math.max(0, clock.now() - ask.since);
    try {
      return await supervisor.acquireTurn!(ask.model, ask.claim, options);
    } catch (err) {
      const lost =
        (err as { code?: string }).code === ErrorCodes.SUPERVISOR_UNAVAILABLE &&
        this.drops > drops &&
        attempt < MAX_REASKS &&
        !ask.signal.aborted;
      if (!lost) throw err;
      if (!(await this.reconnection(ask))) {
        throw ask.signal.aborted ? (ask.signal.reason as Error) : err;
      }
      return this.ask(ask, attempt + 1);
    }
  }

  /** Resolves true once the control connection is up, false at the ask's deadline or abort. */
  private reconnection(ask: Ask): Promise<boolean> {
    if (this.up === true) return Promise.resolve(true);
    const { clock } = this.options;
    return new Promise<boolean>((resolve) => {
      const done = (up: boolean): void => {
        timer.cancel();
        this.reconnected.delete(onUp);
        ask.signal.removeEventListener('abort', onAbort);
        resolve(up);
      };
      const onUp = (): void => done(true);
      const onAbort = (): void => done(false);
      const timer = clock.timer(Math.max(1, ask.deadline - clock.now()), () => done(false));
      this.reconnected.add(onUp);
      ask.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private onConnection(up: boolean): void {
    this.up = up;
    if (!up) {
      this.drops += 1;
      return;
    }
    // The turns held first, then the asks lost with the connection: a supervisor that
    // restarted counts what runs before it lets anyone in.
    const wakeAll = (): void => {
      for (const wake of [...this.reconnected]) wake();
    };
    const redeclared = this.redeclare();
    if (redeclared === undefined) return wakeAll();
    this.redeclared = redeclared;
    void redeclared.then(() => {
      if (this.redeclared === redeclared) this.redeclared = undefined;
      wakeAll();
    });
  }

  /**
   * Declares every turn held again (`held`): a supervisor that knows it changes nothing, one
   * that restarted (or let it expire) counts it as active. Resolves once all are answered;
   * undefined when none is held.
   */
  private redeclare(): Promise<void> | undefined {
    if (this.held.size === 0) return undefined;
    const { supervisor, leases, logger, controlTimeoutMs } = this.options;
    const sent: Promise<void>[] = [];
    for (const turn of this.held.items()) {
      if (turn.redeclaring === undefined) {
        const claim = { id: turn.id, holder: leases.holder };
        turn.redeclaring = supervisor.acquireTurn!(turn.model, claim, {
          timeoutMs: controlTimeoutMs,
          held: true,
        })
          .then(
            () => undefined,
            (err: unknown) => logger.debug({ err, turn: turn.id }, 'turn re-declaration failed'),
          )
          .finally(() => {
            turn.redeclaring = undefined;
          });
      }
      sent.push(turn.redeclaring);
    }
    return Promise.all(sent).then(() => undefined);
  }

  private giveBack(id: string): void {
    const { supervisor, leases, logger } = this.options;
    leases.unpin();
    supervisor.releaseTurn?.(id).catch((err: unknown) => {
      logger.debug({ err, turn: id }, 'turn release failed');
    });
  }

  private line(name: string, maxConcurrent: number): Line {
    let line = this.lines.get(name);
    if (line === undefined) {
      line = {
        maxConcurrent,
        active: 0,
        waiting: new LiveList(),
        waited: 0,
        waitedMs: 0,
        refused: 0,
      };
      this.lines.set(name, line);
    }
    return line;
  }
}
