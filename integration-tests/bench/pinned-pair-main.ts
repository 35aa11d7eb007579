// The audit log's and the metrics' cost between two gateway processes pinned to one CPU:
// `node integration-tests/dist/bench/pinned-pair-main.js [--rounds 20] [--round-ms 2000]
// [--scenario json-c32] [--a on|off] [--b on|off]` runs one pair of processes;
// `pinned-pair-main.js --pairs 20 [--rounds 40]` runs what `main.js` reports (json-c32, audit
// log and metrics on against off, that many pairs of fresh processes in both slot orders). How
// it measures: pinned-pair.ts. Needs two CPUs and `taskset` (util-linux).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchPlan } from './bench-plan.js';
import {
  DEFAULT_ROUNDS,
  measurePinnedPair,
  pinnedPairLine,
  pinnedPairLines,
  runPinnedPair,
} from './pinned-pair.js';
import type { Scenario } from './bench-plan.js';
import type { Service } from './service.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string' },
    'round-ms': { type: 'string', default: '2000' },
    scenario: { type: 'string', default: 'json-c32' },
    a: { type: 'string', default: 'on' },
    b: { type: 'string', default: 'off' },
    pairs: { type: 'string' },
  },
});
const side = (value: string, name: string): boolean => {
  if (value !== 'on' && value !== 'off') throw new Error(`--${name} is on or off, not ${value}`);
  return value === 'on';
};
const scenario = benchPlan(false, 1, false).find((s) => s.key === values.scenario);
if (scenario === undefined) throw new Error(`no scenario ${values.scenario}`);

const work = mkdtempSync(join(tmpdir(), 'mlxgw-pinned-'));
const services: Service[] = [];
try {
  if (values.pairs !== undefined) {
    const rounds = Number(values.rounds ?? DEFAULT_ROUNDS);
    const r = await measurePinnedPair(rounds, work, services, Number(values.pairs));
    if (r !== undefined) process.stdout.write(`${pinnedPairLines(r).join('\n')}\n`);
  } else {
    await onePair(scenario, Number(values.rounds ?? 20));
  }
} finally {
  for (const s of services.reverse()) await s.stop(10_000);
  rmSync(work, { recursive: true, force: true });
}

async function onePair(scenario: Scenario, rounds: number): Promise<void> {
  const r = await runPinnedPair({
    scenario,
    rounds,
    roundMs: Number(values['round-ms']),
    observability: { a: side(values.a, 'a'), b: side(values.b, 'b') },
    work,
    services,
  });
  process.stdout.write(
    `pinned pair, ${scenario.key}, ${rounds} rounds: audit log + metrics ${values.a} in A (started first), ${values.b} in B\n${pinnedPairLine(r)}\n`,
  );
}
