// The counter operations of one admission (plan), and those that undo it (a refusal) or settle
// it when the answer is over: the client limiter's arithmetic, apart from its store and flow.
import { INFLIGHT_TTL_MS, windowTtlMs } from '@mlx-gateway/shared/clients';
import type { LimitScope } from './limit-scope.js';
import type { AdjustOp, CounterOp } from './memory-counters.js';

/** Where one scope's counters are among a check's ops (-1: the scope has no such limit). */
export interface Slots {
  requests: number;
  tokens: number;
  budget: number;
  inflight: number;
}

/** One admission: what it counted, where, and the counts it got back. */
export interface Check {
  now: number;
  reserve: number;
  scopes: LimitScope[];
  slots: Slots[];
  ops: CounterOp[];
  /** The minute's and the budgets' ends, per scope. */
  minuteReset: number[];
  budgetReset: number[];
  values: number[];
}

/** The counter ops of a check: one per limit each scope has, in scope order. */
export function plan(scopes: LimitScope[], reserve: number, now: number): Check {
  const check: Check = {
    now,
    reserve,
    scopes,
    slots: [],
    ops: [],
    minuteReset: [],
    budgetReset: [],
    values: [],
  };
  const { ops } = check;
  for (const scope of scopes) {
    const { limits } = scope;
    const slots: Slots = { requests: -1, tokens: -1, budget: -1, inflight: -1 };
    const minute = scope.minuteAt(now);
    const minuteTtl = windowTtlMs(minute.window, now);
    if (limits.rpm !== undefined) {
      slots.requests = ops.push({ key: minute.requests, by: 1, ttlMs: minuteTtl }) - 1;
    }
    if (limits.tpm !== undefined) {
      slots.tokens = ops.push({ key: minute.tokens, by: reserve, ttlMs: minuteTtl }) - 1;
    }
    const budget = scope.budgetAt(now);
    if (budget !== undefined) {
      const ttlMs = windowTtlMs(budget.window, now);
      slots.budget = ops.push({ key: budget.key, by: reserve, ttlMs }) - 1;
    }
    if (limits.concurrency !== undefined) {
      slots.inflight = ops.push({ key: scope.inflightKey, by: 1, ttlMs: INFLIGHT_TTL_MS }) - 1;
    }
    check.slots.push(slots);
    check.minuteReset.push(minute.window.resetAt);
    check.budgetReset.push(budget?.window.resetAt ?? 0);
  }
  return check;
}

/** A refusal takes nothing from any limit: every count of the check is given back. */
export function undoOps(c: Check): AdjustOp[] {
  const inflight = new Set(c.slots.map((slots) => slots.inflight));
  return c.ops.map((op, i) => ({ key: op.key, by: -op.by, floor: inflight.has(i) }));
}

/**
 * At the end: the in-flight slots back, the reserved tokens corrected by the usage; a model
 * whose answer came from a fallback keeps its reservation (no usage of its own is known).
 */
export function settleOps(
  c: Check,
  usedTokens: number | undefined,
  modelAnswered: boolean,
): AdjustOp[] {
  const out: AdjustOp[] = [];
  const used = usedTokens === undefined ? 0 : usedTokens - c.reserve;
  for (let i = 0; i < c.slots.length; i++) {
    const slots = c.slots[i]!;
    const delta = modelAnswered || c.scopes[i]!.kind !== 'model' ? used : 0;
    if (delta !== 0) {
      if (slots.tokens >= 0) out.push({ key: c.ops[slots.tokens]!.key, by: delta, floor: false });
      if (slots.budget >= 0) out.push({ key: c.ops[slots.budget]!.key, by: delta, floor: false });
    }
    if (slots.inflight >= 0) out.push({ key: c.ops[slots.inflight]!.key, by: -1, floor: true });
  }
  return out;
}
