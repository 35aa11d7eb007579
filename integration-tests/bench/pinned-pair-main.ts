// The audit log's and the metrics' cost between two gateway processes pinned to one CPU:
// `node integration-tests/dist/bench/pinned-pair-main.js [--rounds 20] [--round-ms 2000]
// [--scenario json-c32] [--a on|off] [--b on|off] [--gc-at MS] [--a-build DIR] [--b-build DIR]`
// runs one pair of processes (`--gc-at`: a full collection forced in both MS after their start,
// and what their young generation did before and after it; `--a-build`: side A runs the built
// gateway of the checkout at DIR, to compare two builds);
// `pinned-pair-main.js --pairs 20 [--rounds 40]` runs what `main.js` reports (json-c32, audit
// log and metrics on against off, that many pairs of fresh processes in both slot orders). How
// it measures: pinned-pair.ts. Needs two CPUs and `taskset` (util-linux).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchPlan } from './bench-plan.js';
import { gcWindowLine, gcWindows } from './gc-trace.js';
import {
  DEFAULT_ROUNDS,
  measurePinnedPair,
  pinnedPairLine,
  pinnedPairLines,
  runPinnedPair,
} from './pinned-pair.js';
import type { Scenario } from './bench-plan.js';
import type { Service } from './service.js';

/** The gateways' start-up (loading, JIT, the first connections) is left out of the GC figures. */
const GC_TRACE_FROM_MS = 3_000;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string' },
    'round-ms': { type: 'string', default: '2000' },
    scenario: { type: 'string', default: 'json-c32' },
    a: { type: 'string', default: 'on' },
    b: { type: 'string', default: 'off' },
    pairs: { type: 'string' },
    'gc-at': { type: 'string' },
    'a-build': { type: 'string' },
    'b-build': { type: 'string' },
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
  const gcAtMs = values['gc-at'] === undefined ? undefined : Number(values['gc-at']);
  const r = await runPinnedPair({
    scenario,
    rounds,
    roundMs: Number(values['round-ms']),
    observability: { a: side(values.a, 'a'), b: side(values.b, 'b') },
    work,
    services,
    ...(gcAtMs === undefined ? {} : { gcAtMs }),
    builds: {
      ...(values['a-build'] === undefined ? {} : { a: values['a-build'] }),
      ...(values['b-build'] === undefined ? {} : { b: values['b-build'] }),
    },
  });
  process.stdout.write(
    `pinned pair, ${scenario.key}, ${rounds} rounds: audit log + metrics ${values.a} in A (started first), ${values.b} in B\n${pinnedPairLine(r)}\n`,
  );
  if (gcAtMs === undefined) return;
  for (const s of ['a', 'b']) {
    const { before, after } = gcWindows(
      readFileSync(join(work, `pinned-${s}.out`), 'utf8'),
      GC_TRACE_FROM_MS,
      gcAtMs,
    );
    process.stdout.write(
      `${s.toUpperCase()} before the full collection at ${gcAtMs} ms: ${gcWindowLine(before)}\n` +
        `${s.toUpperCase()} after it: ${gcWindowLine(after)}\n`,
    );
  }
}
