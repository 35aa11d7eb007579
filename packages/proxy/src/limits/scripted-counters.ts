import type { StateScript, StateStore } from '@mlx-gateway/shared/state';
import type { AdjustOp, CounterOp } from './memory-counters.js';

/**
 * Most counters of each kind in one call: a check counts at most four limits of the client key
 * and four of the model; batched checks and corrections (batched-counters.ts) share one call
 * up to this many increments and this many corrections.
 */
export const MAX_OPS = 32;

/**
 * One step on the limit counters, run by the server as one command. First the corrections
 * (ARGV[1] of them: `by, floor` each): INCRBY on each counter that still exists (one of a
 * window that ended is left alone), brought back to 0 where `floor` is 1 (an in-flight counter
 * that expired under a request). Then the increments (`by, ttlMs` each): INCRBY, and PEXPIRE on
 * the counters this call created; their values are returned in order.
 */
const STEP = `
local corrections = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local a = ARGV[2 * i]
  local b = ARGV[2 * i + 1]
  if i <= corrections then
    if redis.call('EXISTS', KEYS[i]) == 1 then
      local value = redis.call('INCRBY', KEYS[i], a)
      if value < 0 and b == '1' then redis.call('INCRBY', KEYS[i], -value) end
    end
  else
    local value = redis.call('INCRBY', KEYS[i], a)
    if value == tonumber(a) then redis.call('PEXPIRE', KEYS[i], b) end
    out[#out + 1] = value
  end
end
return out`;

/**
 * The limit counters on a real Redis: a step (the corrections that are due, then the
 * increments of one or more checks) is one Lua script call (EVALSHA): one command, one round
 * trip and one reply to parse, whatever the number of limits. Scripts are registered per
 * number of keys (ioredis fixes a command's key count). Not used on the embedded store, whose
 * Lua runs in a JavaScript VM at milliseconds a call.
 */
export class ScriptedCounters {
  private readonly scripts: StateScript[] = [];

  constructor(private readonly store: StateStore) {}

  /** Applies `adjusts`, then `increments`; resolves with the increments' new values. */
  async step(adjusts: readonly AdjustOp[], increments: readonly CounterOp[]): Promise<number[]> {
    if (adjusts.length > MAX_OPS || increments.length > MAX_OPS) {
      throw new Error(`at most ${MAX_OPS} increments and ${MAX_OPS} corrections in one step`);
    }
    const count = adjusts.length + increments.length;
    if (count === 0) return [];
    const keys: string[] = [];
    const args: (string | number)[] = [adjusts.length];
    for (const op of adjusts) {
      keys.push(op.key);
      args.push(op.by, op.floor ? '1' : '0');
    }
    for (const op of increments) {
      keys.push(op.key);
      args.push(op.by, Math.max(1, Math.ceil(op.ttlMs)));
    }
    const script = (this.scripts[count] ??= this.store.script(`limits_step_${count}`, STEP, count));
    const values = (await script.run(keys, args)) as unknown[];
    return values.map(Number);
  }
}
