import type { AdjustOp, CounterOp, CounterStore } from './memory-counters.js';

/** A store reached by round trips (Redis): its calls return promises. */
interface RemoteCounters {
  incrementMany(ops: readonly CounterOp[]): Promise<number[]>;
  adjustMany(ops: readonly AdjustOp[]): Promise<void>;
}

interface PendingCheck {
  ops: readonly CounterOp[];
  resolve(values: number[]): void;
  reject(err: unknown): void;
}

interface PendingAdjust {
  ops: readonly AdjustOp[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Limit checks and corrections on Redis, one store call at a time each: a check that comes
 * while one is out waits for it and goes with every other check that came meanwhile, as one
 * script call over the union of their counters (each counter incremented once by the sum).
 * Each check gets the values it would have seen had the checks run one by one in arrival
 * order (the final value, less what the later checks of the batch added). An idle proxy sends
 * every check at once, as before; a busy one sends one call per round trip instead of one per
 * request, which is what the limits cost on Redis (the client's command encoding, reply
 * parsing and promise per call). Corrections are merged the same way (summed per counter,
 * floored at 0 where asked).
 */
export class BatchedCounters implements CounterStore {
  private checks: PendingCheck[] = [];
  private adjusts: PendingAdjust[] = [];
  private checking = false;
  private adjusting = false;

  constructor(
    private readonly inner: RemoteCounters,
    /** Most distinct counters in one call (the store's scripts take up to this many keys). */
    private readonly maxKeys: number,
  ) {}

  incrementMany(ops: readonly CounterOp[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.checks.push({ ops, resolve, reject });
      if (!this.checking) this.flushChecks();
    });
  }

  adjustMany(ops: readonly AdjustOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.adjusts.push({ ops, resolve, reject });
      if (!this.adjusting) this.flushAdjusts();
    });
  }

  private flushChecks(): void {
    const merged = new Map<string, number>();
    const ops: CounterOp[] = [];
    const batch = take(this.checks, this.maxKeys, merged, (op) => {
      const at = merged.get(op.key);
      if (at === undefined) merged.set(op.key, ops.push({ ...op }) - 1);
      else ops[at]!.by += op.by;
    });
    if (batch.length === 0) return;
    this.checking = true;
    this.inner.incrementMany(ops).then(
      (totals) => {
        // Backwards from the last check: each sees the total less what later ones added.
        const running = totals.slice();
        const values: number[][] = [];
        for (let j = batch.length - 1; j >= 0; j--) {
          const check = batch[j]!;
          values[j] = check.ops.map((op) => running[merged.get(op.key)!]!);
          for (const op of check.ops) running[merged.get(op.key)!]! -= op.by;
        }
        batch.forEach((check, j) => check.resolve(values[j]!));
        this.afterCheck();
      },
      (err: unknown) => {
        for (const check of batch) check.reject(err);
        this.afterCheck();
      },
    );
  }

  private afterCheck(): void {
    this.checking = false;
    if (this.checks.length > 0) this.flushChecks();
  }

  private flushAdjusts(): void {
    const merged = new Map<string, number>();
    const ops: AdjustOp[] = [];
    const batch = take(this.adjusts, this.maxKeys, merged, (op) => {
      const at = merged.get(op.key);
      if (at === undefined) merged.set(op.key, ops.push({ ...op }) - 1);
      else {
        ops[at]!.by += op.by;
        ops[at]!.floor ||= op.floor;
      }
    });
    if (batch.length === 0) return;
    this.adjusting = true;
    const done = (settle: (p: PendingAdjust) => void): void => {
      for (const adjust of batch) settle(adjust);
      this.adjusting = false;
      if (this.adjusts.length > 0) this.flushAdjusts();
    };
    this.inner.adjustMany(ops.filter((op) => op.by !== 0)).then(
      () => done((a) => a.resolve()),
      (err: unknown) => done((a) => a.reject(err)),
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
