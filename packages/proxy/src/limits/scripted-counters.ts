import type { StateScript, StateStore } from '@mlx-gateway/shared/state';
import type { AdjustOp, CounterOp, CounterStore } from './memory-counters.js';

/**
 * Most counters in one call: a check counts at most four limits of the client key and four of
 * the model; batched checks (batched-counters.ts) share one call up to this many.
 */
export const MAX_OPS = 32;

/**
 * INCRBY on each key, and PEXPIRE on the ones this call created, all in one step: the server
 * runs it as one command. ARGV holds `by, ttlMs` per key.
 */
const INCREMENT_MANY = `
local out = {}
for i = 1, #KEYS do
  local by = ARGV[2 * i - 1]
  local value = redis.call('INCRBY', KEYS[i], by)
  if value == tonumber(by) then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
  out[i] = value
end
return out`;

/**
 * The corrections of a refusal or a settlement in one step: INCRBY on each key that still
 * exists (a counter of a window that ended is left alone), brought back to 0 where ARGV says
 * `floor` (an in-flight counter that expired under a request). ARGV holds `by, floor` per key.
 */
const ADJUST_MANY = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local value = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
    if value < 0 and ARGV[2 * i] == '1' then redis.call('INCRBY', KEYS[i], -value) end
  end
end
return 0`;

/**
 * The limit counters on a real Redis: all of a check's increments go as one Lua script call
 * (EVALSHA), so a check is one command, one round trip and one reply to parse, whatever the
 * number of limits; the corrections at the end of the request are another one. Scripts are
 * registered per number of keys (ioredis fixes a command's key count). Not used on the
 * embedded store, whose Lua runs in a JavaScript VM at milliseconds a call.
 */
export class ScriptedCounters implements CounterStore {
  private readonly increments: StateScript[] = [];
  private readonly adjusts: StateScript[] = [];

  constructor(private readonly store: StateStore) {}

  async incrementMany(ops: readonly CounterOp[]): Promise<number[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const op of ops) {
      keys.push(op.key);
      args.push(op.by, Math.max(1, Math.ceil(op.ttlMs)));
    }
    const script = this.scriptFor(this.increments, 'increment_many', INCREMENT_MANY, ops.length);
    const values = (await script.run(keys, args)) as unknown[];
    return values.map(Number);
  }

  async adjustMany(ops: readonly AdjustOp[]): Promise<void> {
    if (ops.length === 0) return;
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const op of ops) {
      keys.push(op.key);
      args.push(op.by, op.floor ? '1' : '0');
    }
    await this.scriptFor(this.adjusts, 'adjust_many', ADJUST_MANY, ops.length).run(keys, args);
  }

  private scriptFor(cache: StateScript[], name: string, lua: string, count: number): StateScript {
    if (count < 1 || count > MAX_OPS) throw new Error(`1 to ${MAX_OPS} counters in one step`);
    return (cache[count] ??= this.store.script(`${name}_${count}`, lua, count));
  }
}
