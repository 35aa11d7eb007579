import { ErrorCodes, HistogramRecorder, ProtocolError } from '@mlx-gateway/protocol';
import type { ModelInfo, QueueFigures } from '@mlx-gateway/protocol';
import type { Clock, Timer } from '@mlx-gateway/shared/clock';

/** A model's turns as configured: at most `maxConcurrent` at once, `size` waiting, `timeoutMs` each. */
export interface TurnPolicy {
  maxConcurrent: number;
  size: number;
  timeoutMs: number;
}

/** What a proxy re-declares with an acquire (see `TurnTable.acquire`). */
export interface TurnClaim {
  held?: boolean;
  waitedMs?: number;
  /** The model runs a process an earlier supervisor started (adopted): it may be serving. */
  adopted?: boolean;
}

/**
 * How long the line of an adopted model gives no new turn once it first hears from a proxy
 * after a supervisor start: every proxy reconnects within about a second of the first one
 * (the control client's longest reconnect interval) and re-declares its turns at once.
 */
export const SETTLE_MS = 2_000;

/** Waits for a turn: from nothing (one was free) to the longest queue timeouts. */
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface Held {
  model: string;
  holder: string;
  expiresAt: number;
}

interface Waiter extends Held {
  id: string;
  since: number;
  timer: Timer;
  grant: (waitedMs: number) => void;
  refuse: (err: Error) => void;
}

/** One model's line and its figures. */
interface Line {
  policy: TurnPolicy;
  active: Set<string>;
  waiting: Waiter[];
  waited: number;
  waitedMs: number;
  refused: number;
  wait: HistogramRecorder;
  /** The line heard of an adopted model's run (see `settle`). */
  settled?: boolean;
  /** While it runs, no new turn is given: the proxies re-declare theirs meanwhile. */
  settling?: Timer;
}

/**
 * The turns of local models with `maxConcurrent`, held here for every proxy of the gateway:
 * a proxy asks for a turn per request (`turn.acquire`), which is granted at once while fewer
 * than `maxConcurrent` are out, else in arrival order as turns come back, over all proxies.
 * At most `size` requests wait, each at most `timeoutMs`; past either the acquire is refused
 * with RATE_LIMITED and a Retry-After. Turns and waiting requests belong to a holder (a proxy
 * process) and expire like leases when the holder stops renewing them (a proxy that died).
 * Turns are not leases: a request waiting in line never keeps a model from stopping.
 * A supervisor that restarted (its models adopted, still serving) starts with an empty table:
 * proxies re-declare the turns they hold and the requests they have in line (see `acquire`).
 */
export class TurnTable {
  private readonly lines = new Map<string, Line>();
  /** Every granted turn, by id. */
  private readonly turns = new Map<string, Held>();
  /** Every waiting request, by id. */
  private readonly waiters = new Map<string, Waiter>();

  /** When this table (the supervisor) started. */
  private readonly startedAt: number;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly policyOf: (model: string) => TurnPolicy | undefined,
  ) {
    this.startedAt = clock.now();
  }

  /**
   * The time waited (ms) once the turn is granted: a number at once, a promise after a wait.
   * `claim` re-declares what a proxy had before this supervisor started (or before its turn
   * expired here): a turn it holds (`held`: its request runs on the model, so it counts as
   * active at once, above `maxConcurrent` if need be) or a request it had waiting in line
   * (`waitedMs`: it takes its place by arrival, and its timeout counts the wait so far).
   */
  acquire(
    id: string,
    model: string,
    holder: string,
    claim: TurnClaim = {},
  ): number | Promise<number> {
    if (this.turns.has(id)) return 0;
    const line = this.line(model);
    if (line === undefined) return 0; // no maxConcurrent: nothing to wait for
    const now = this.clock.now();
    if (claim.adopted === true) this.settle(line, now);
    if (claim.held === true) {
      this.redeclareHeld(line, id, model, holder, now);
      return 0;
    }
    const queued = this.waiters.get(id);
    // Asked again (the connection that carried the first ask was lost): same place in line.
    if (queued !== undefined) return rejoin(queued);
    const { policy } = line;
    const waitedMs = Math.min(claim.waitedMs ?? 0, policy.timeoutMs);
    const free = line.active.size < policy.maxConcurrent && line.waiting.length === 0;
    if (free && line.settling === undefined) {
      this.grant(line, id, model, holder, now, waitedMs);
      return waitedMs;
    }
    // A re-declared request was in line already: a line that filled up since does not refuse it.
    if (line.waiting.length >= policy.size && claim.waitedMs === undefined) {
      line.refused++;
      throw refusal(
        policy,
        `the queue of model "${model}" is full (${policy.size} requests waiting for ${policy.maxConcurrent} at a time); try again shortly`,
      );
    }
    return this.enqueue(line, { id, model, holder, since: now - waitedMs }, now);
  }

  /** Gives a turn back (the next in line gets it), or takes a waiting request out of the line. */
  release(id: string): boolean {
    const held = this.turns.get(id);
    if (held !== undefined) {
      this.turns.delete(id);
      const line = this.lines.get(held.model);
      if (line !== undefined) {
        line.active.delete(id);
        this.next(line);
      }
      return true;
    }
    const waiter = this.waiters.get(id);
    if (waiter === undefined) return false;
    const line = this.lines.get(waiter.model)!;
    this.unqueue(line, waiter);
    waiter.refuse(new ProtocolError(ErrorCodes.LEASE_NOT_FOUND, 'the request left the line'));
    return true;
  }

  /** Renews the turns and waiting requests of a holder; returns how many. */
  renew(holder: string): number {
    const expiresAt = this.clock.now() + this.ttlMs;
    let n = 0;
    for (const held of [...this.turns.values(), ...this.waiters.values()]) {
      if (held.holder !== holder) continue;
      held.expiresAt = expiresAt;
      n++;
    }
    return n;
  }

  /** Drops the turns and waiting requests of holders that stopped renewing them. */
  expire(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [id, held] of [...this.turns, ...this.waiters]) {
      if (held.expiresAt > now) continue;
      this.release(id);
      n++;
    }
    return n;
  }

  /** What `status` shows of a model's line; undefined for a model without maxConcurrent. */
  info(model: string): ModelInfo['queue'] {
    const line = this.line(model);
    if (line === undefined) return undefined;
    return {
      maxConcurrent: line.policy.maxConcurrent,
      size: line.policy.size,
      active: line.active.size,
      waiting: line.waiting.length,
      oldestWaitMs: Math.round(this.oldestWaitMs(line)),
      waited: line.waited,
      waitedMs: Math.round(line.waitedMs),
      refused: line.refused,
    };
  }

  /** The figures of every line for /metrics. */
  figures(): QueueFigures[] {
    return [...this.lines].map(([model, line]) => ({
      model,
      active: line.active.size,
      waiting: line.waiting.length,
      oldestWaitSeconds: this.oldestWaitMs(line) / 1000,
      refused: line.refused,
      wait: line.wait.snapshot(),
    }));
  }

  private oldestWaitMs(line: Line): number {
    const oldest = line.waiting[0];
    return oldest === undefined ? 0 : this.clock.now() - oldest.since;
  }

  /**
   * The model's line, with its policy as configured now (a reloaded config applies to the next
   * acquire: a larger maxConcurrent lets waiting requests in at once); undefined without one.
   */
  private line(model: string): Line | undefined {
    const policy = this.policyOf(model);
    if (policy === undefined) return undefined; // no maxConcurrent (any more): nothing to wait for
    let line = this.lines.get(model);
    if (line !== undefined && !samePolicy(line.policy, policy)) {
      line.policy = policy;
      this.next(line);
    }
    if (line === undefined) {
      line = {
        policy,
        active: new Set(),
        waiting: [],
        waited: 0,
        waitedMs: 0,
        refused: 0,
        wait: new HistogramRecorder(WAIT_BUCKETS),
      };
      this.lines.set(model, line);
    }
    return line;
  }

  private grant(
    line: Line,
    id: string,
    model: string,
    holder: string,
    now: number,
    waitedMs: number,
  ) {
    line.active.add(id);
    this.turns.set(id, { model, holder, expiresAt: now + this.ttlMs });
    line.wait.observe(waitedMs / 1000);
  }

  /** Hands freed turns to the longest-waiting requests. */
  private next(line: Line): void {
    if (line.settling !== undefined) return;
    while (line.active.size < line.policy.maxConcurrent) {
      const waiter = line.waiting.shift();
      if (waiter === undefined) return;
      this.waiters.delete(waiter.id);
      waiter.timer.cancel();
      const now = this.clock.now();
      const waitedMs = now - waiter.since;
      line.waited++;
      line.waitedMs += waitedMs;
      this.grant(line, waiter.id, waiter.model, waiter.holder, now, waitedMs);
      waiter.grant(waitedMs);
    }
  }

  /**
   * A supervisor that restarted adopts model servers that may be serving requests of the old
   * one's turns, which it learns of only as the proxies re-declare them: the first time, soon
   * after the start, that a line of such a model is asked for a turn, it gives no new turn for
   * SETTLE_MS (requests wait in line, re-declared turns count), then goes on as usual.
   */
  private settle(line: Line, now: number): void {
    if (line.settled === true) return;
    line.settled = true;
    if (now - this.startedAt >= this.ttlMs) return; // any turn from before has expired by now
    line.settling = this.clock.timer(SETTLE_MS, () => {
      line.settling = undefined;
      this.next(line);
    });
  }

  /** Puts a request in line by its arrival (`since`), refused once it waited `timeoutMs` in all. */
  private enqueue(
    line: Line,
    ask: Pick<Waiter, 'id' | 'model' | 'holder' | 'since'>,
    now: number,
  ): Promise<number> {
    const { policy } = line;
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        ...ask,
        expiresAt: now + this.ttlMs,
        grant: resolve,
        refuse: reject,
        timer: this.clock.timer(Math.max(1, policy.timeoutMs - (now - ask.since)), () => {
          this.unqueue(line, waiter);
          line.refused++;
          waiter.refuse(
            refusal(
              policy,
              `waited ${Math.round(policy.timeoutMs / 1000)} s for model "${ask.model}" (${policy.maxConcurrent} request(s) at a time) without a turn; try again shortly`,
            ),
          );
        }),
      };
      const after = line.waiting.findIndex((w) => w.since > ask.since);
      if (after === -1) line.waiting.push(waiter);
      else line.waiting.splice(after, 0, waiter);
      this.waiters.set(ask.id, waiter);
    });
  }

  /** A turn a proxy holds that this table did not know: active from now on, whatever the limit. */
  private redeclareHeld(line: Line, id: string, model: string, holder: string, now: number) {
    const queued = this.waiters.get(id);
    if (queued !== undefined) this.unqueue(line, queued);
    line.active.add(id);
    this.turns.set(id, { model, holder, expiresAt: now + this.ttlMs });
    queued?.grant(now - queued.since);
  }

  private unqueue(line: Line, waiter: Waiter): void {
    waiter.timer.cancel();
    this.waiters.delete(waiter.id);
    const at = line.waiting.indexOf(waiter);
    if (at !== -1) line.waiting.splice(at, 1);
  }
}

/** A second ask for a request already in line: answered together with the first. */
function rejoin(waiter: Waiter): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const { grant, refuse } = waiter;
    waiter.grant = (waitedMs) => {
      grant(waitedMs);
      resolve(waitedMs);
    };
    waiter.refuse = (err) => {
      refuse(err);
      reject(err);
    };
  });
}

function refusal(policy: TurnPolicy, message: string): ProtocolError {
  const retryAfterSeconds = Math.max(1, Math.ceil(Math.min(policy.timeoutMs, 30_000) / 1000));
  return new ProtocolError(ErrorCodes.RATE_LIMITED, message, { retryAfterSeconds });
}

function samePolicy(a: TurnPolicy, b: TurnPolicy): boolean {
  return a.maxConcurrent === b.maxConcurrent && a.size === b.size && a.timeoutMs === b.timeoutMs;
}
