import type { AdjustOp, CounterOp, CounterStore } from './memory-counters.js';

/** A store reached by round trips (Redis): corrections then increments, in one call. */
export interface SteppedCounters {
  step(adjusts: readonly AdjustOp[], increments: readonly CounterOp[]): Promise<number[]>;
}

interface Pending<O, R> {
  ops: readonly O[];
  resolve(value: R): void;
  reject(err: unknown): void;
}

type PendingCheck = Pending<CounterOp, number[]>;
type PendingAdjust = Pending<AdjustOp, void>;

/** How long corrections alone wait for a check to carry them (a busy proxy has one sooner). */
export const CARRY_WAIT_MS = 2;

export interface BatchedCountersOptions {
  /** Most distinct counters of each kind in one call. */
  maxKeys: number;
  /** Runs `fn` after `ms` (tests pass their own). */
  later?: (ms: number, fn: () => void) => void;
}

/**
 * Limit checks and corrections on Redis, one store call out at a time. Whatever came while a
 * call was out goes in the next one: the checks (each counter incremented once, by their sum)
 * and the corrections due (summed per counter, floored at 0 where asked), so a request costs
 * about one round trip in all, its settlement riding with a later check. Each check gets the
 * values it would have seen had the checks run one by one in arrival order (the final value,
 * less what the later checks of the call added). Corrections with no check to carry them go
 * alone after CARRY_WAIT_MS. An idle proxy sends a check at once, as without batching. What the
 * limits cost on Redis is mostly per call (the client's command encoding, the socket write and
 * read, the reply's parse and promise), not per counter.
 */
export class BatchedCounters implements CounterStore {
  private checks: PendingCheck[] = [];
  private adjusts: PendingAdjust[] = [];
  private busy = false;
  private carryTimer = false;
  private readonly later: (ms: number, fn: () => void) => void;

  constructor(
    private readonly inner: SteppedCounters,
    private readonly options: BatchedCountersOptions,
  ) {
    this.later = options.later ?? ((ms, fn) => void setTimeout(fn, ms));
  }

  incrementMany(ops: readonly CounterOp[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.checks.push({ ops, resolve, reject });
      if (!this.busy) this.flush();
    });
  }

  adjustMany(ops: readonly AdjustOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.adjusts.push({ ops, resolve, reject });
      if (this.busy || this.carryTimer) return;
      this.carryTimer = true;
      this.later(CARRY_WAIT_MS, () => {
        this.carryTimer = false;
        if (!this.busy && this.adjusts.length > 0) this.flush();
      });
    });
  }

  private flush(): void {
    const { maxKeys } = this.options;
    const adjustAt = new Map<string, number>();
    const adjustOps: AdjustOp[] = [];
    const adjusts = take(this.adjusts, maxKeys, adjustAt, (op) => {
      const at = adjustAt.get(op.key);
      if (at === undefined) adjustAt.set(op.key, adjustOps.push({ ...op }) - 1);
      else {
        adjustOps[at]!.by += op.by;
        adjustOps[at]!.floor ||= op.floor;
      }
    });
    const checkAt = new Map<string, number>();
    const checkOps: CounterOp[] = [];
    const checks = take(this.checks, maxKeys, checkAt, (op) => {
      const at = checkAt.get(op.key);
      if (at === undefined) checkAt.set(op.key, checkOps.push({ ...op }) - 1);
      else checkOps[at]!.by += op.by;
    });
    if (adjusts.length === 0 && checks.length === 0) return;
    this.busy = true;
    const settled = (): void => {
      this.busy = false;
      if (this.checks.length > 0) this.flush();
      else if (this.adjusts.length > 0 && !this.carryTimer) {
        this.carryTimer = true;
        this.later(CARRY_WAIT_MS, () => {
          this.carryTimer = false;
          if (!this.busy && this.adjusts.length > 0) this.flush();
        });
      }
    };
    this.inner
      .step(
        adjustOps.filter((op) => op.by !== 0),
        checkOps,
      )
      .then(
        (totals) => {
          for (const adjust of adjusts) adjust.resolve();
          // Backwards from the last check: each sees the total less what later ones added.
          const running = totals.slice();
          const values: number[][] = [];
          for (let j = checks.length - 1; j >= 0; j--) {
            const check = checks[j]!;
            values[j] = check.ops.map((op) => running[checkAt.get(op.key)!]!);
            for (const op of check.ops) running[checkAt.get(op.key)!]! -= op.by;
          }
          checks.forEach((check, j) => check.resolve(values[j]!));
          settled();
        },
        (err: unknown) => {
          for (const pending of [...adjusts, ...checks]) pending.reject(err);
          settled();
        },
      );
  }
}

/**
 * Takes pending entries in arrival order while their counters fit in `maxKeys` (the first
 * always goes), adding each op with `add`.
 */
function take<T extends { ops: readonly { key: string }[] }>(
  pending: T[],
  maxKeys: number,
  merged: Map<string, number>,
  add: (op: T['ops'][number]) => void,
): T[] {
  const batch: T[] = [];
  while (pending.length > 0) {
    const next = pending[0]!;
    const fresh = new Set(next.ops.map((op) => op.key).filter((key) => !merged.has(key)));
    if (batch.length > 0 && merged.size + fresh.size > maxKeys) break;
    pending.shift();
    batch.push(next);
    for (const op of next.ops) add(op);
  }
  return batch;
}
