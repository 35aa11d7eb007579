// `--together`: each A/B pair measured at the same time instead of one after the other.
//
// Two load clients drive the two proxies of a pair in the same window, with the scenario's
// concurrency each, and each proxy's CPU per request is read over that window. Whatever else
// runs on the machine then hits both sides at the same instants; on a shared 2-core machine the
// interleaved rounds, one after the other, swing by tens of percent from one round to the next.
// The two proxies also compete with each other for the cores: the throughput ratio then reflects
// their CPU per request, and the CPU figures are what to read.
import { AB_PAIRS, pairedCost } from './bench-report.js';
import type { Measurement } from './bench-report.js';
import { cpuOf, cpuPerRequest, job } from './bench-jobs.js';
import type { BenchPath, Scenario } from './bench-plan.js';
import { LoadClient } from './load-client-process.js';
import type { LoadResult } from './load-protocol.js';

export interface TogetherResult {
  scenario: string;
  what: string;
  a: Measurement;
  b: Measurement;
}

async function roundTogether(
  clients: [LoadClient, LoadClient],
  a: Measurement,
  b: Measurement,
  scenario: Scenario,
): Promise<void> {
  const before = [cpuOf(a.path.pids), cpuOf(b.path.pids)];
  const [ra, rb] = await Promise.all([
    clients[0].run(job(a.path, scenario, scenario.durationMs)),
    clients[1].run(job(b.path, scenario, scenario.durationMs)),
  ]);
  const after = [cpuOf(a.path.pids), cpuOf(b.path.pids)];
  for (const [m, r, i] of [
    [a, ra, 0],
    [b, rb, 1],
  ] as Array<[Measurement, LoadResult, number]>) {
    m.rounds.push(r);
    const cpu = cpuPerRequest(before[i], after[i], r.requests);
    if (cpu !== undefined) m.cpuUsPerRequest.push(cpu);
  }
}

/** Every A/B pair among `paths`, in every scenario, measured together for `rounds` rounds. */
export async function measureTogether(
  paths: BenchPath[],
  scenarios: Scenario[],
): Promise<TogetherResult[]> {
  const clients: [LoadClient, LoadClient] = [new LoadClient(), new LoadClient()];
  const results: TogetherResult[] = [];
  try {
    for (const scenario of scenarios.filter((s) => s.gapMs === 0)) {
      for (const pair of AB_PAIRS) {
        const pa = paths.find((p) => p.key === pair.with);
        const pb = paths.find((p) => p.key === pair.without);
        if (pa === undefined || pb === undefined) continue;
        process.stderr.write(`${scenario.label}: ${pair.what}, together\n`);
        const a: Measurement = { scenario, path: pa, rounds: [], cpuUsPerRequest: [] };
        const b: Measurement = { scenario, path: pb, rounds: [], cpuUsPerRequest: [] };
        if (scenario.warmupMs > 0) {
          await Promise.all([
            clients[0].run(job(pa, scenario, scenario.warmupMs)),
            clients[1].run(job(pb, scenario, scenario.warmupMs)),
          ]);
        }
        for (let r = 0; r < scenario.rounds; r++) await roundTogether(clients, a, b, scenario);
        results.push({ scenario: scenario.key, what: pair.what, a, b });
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return results;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The pairs measured together: CPU per request of each side and the cost, round by round. */
export function togetherTable(results: TogetherResult[]): string {
  const lines = [
    '| scenario | cost of (measured together) | CPU µs/req with | without | CPU µs/req added, median [min, max] | throughput cost, median [min, max] |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    const pair = AB_PAIRS.find((p) => p.what === r.what);
    const c = pair === undefined ? undefined : pairedCost([r.a, r.b], r.scenario, pair);
    if (c === undefined) continue;
    const med = (xs: number[]): string =>
      xs.length === 0 ? '-' : [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!.toFixed(0);
    const cpu =
      c.cpuUs === undefined
        ? '-'
        : `${c.cpuUs.median.toFixed(0)} [${c.cpuUs.min.toFixed(0)}, ${c.cpuUs.max.toFixed(0)}]`;
    const t = c.throughput;
    lines.push(
      `| ${r.scenario} | ${r.what} | ${med(r.a.cpuUsPerRequest)} | ${med(r.b.cpuUsPerRequest)} | ${cpu} | ${pct(t.median)} [${pct(t.min)}, ${pct(t.max)}] |`,
    );
  }
  return lines.join('\n');
}
