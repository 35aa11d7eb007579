import type { StateScript, StateStore } from '@mlx-gateway/shared/state';
import type { CounterOp, CounterStore } from './memory-counters.js';

/** Up to this many increments go in one script call (a limit check makes at most four). */
const MAX_OPS = 4;

/**
 * INCRBY on each key given, and PEXPIRE on the ones this call created, all in one step: the
 * server runs it as one command. Unused key slots are passed as `-` with an increment of `-`.
 */
const INCREMENT_MANY = `
local out = {}
for i = 1, ${MAX_OPS} do
  local by = ARGV[2 * i - 1]
  if by == '-' then
    out[i] = 0
  else
    local value = redis.call('INCRBY', KEYS[i], by)
    if value == tonumber(by) then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
    out[i] = value
  end
end
return out`;

/**
 * The limit counters on a real Redis: a limit check's increments go as one Lua script call
 * (EVALSHA), so a check is one command, one round trip and one reply to parse, whatever the
 * number of limits. Not used on the embedded store, whose Lua runs in a JavaScript VM at
 * milliseconds a call.
 */
export class ScriptedCounters implements CounterStore {
  private readonly script: StateScript;

  constructor(private readonly store: StateStore) {
    this.script = store.script('increment_many', INCREMENT_MANY, MAX_OPS);
  }

  increment(key: string, by: number, ttlMs: number): Promise<number> {
    return this.store.increment(key, by, ttlMs);
  }

  counter(key: string): Promise<number> {
    return this.store.counter(key);
  }

  async incrementMany(ops: readonly CounterOp[]): Promise<number[]> {
    if (ops.length > MAX_OPS) throw new Error(`at most ${MAX_OPS} increments in one step`);
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (let i = 0; i < MAX_OPS; i++) {
      const op = ops[i];
      // An unused slot still needs a key; the script does not touch it.
      keys.push(op?.key ?? 'unused');
      args.push(
        op === undefined ? '-' : op.by,
        op === undefined ? '-' : Math.max(1, Math.ceil(op.ttlMs)),
      );
    }
    const values = (await this.script.run(keys, args)) as number[];
    return values.slice(0, ops.length).map(Number);
  }
}
