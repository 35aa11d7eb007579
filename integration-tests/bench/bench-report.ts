import type { BenchPath, PathKey, Scenario } from './bench-plan.js';
import { PACED_GAP_MS } from './bench-plan.js';
import type { LoadResult } from './load-protocol.js';

export interface Measurement {
  scenario: Scenario;
  path: BenchPath;
  rounds: LoadResult[];
  /** CPU time of the path's server per request, one value per round (Linux only). */
  cpuUsPerRequest: number[];
}

/** A measurement reduced to one figure per column: the median over its rounds. */
export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  ttfeP50?: number;
  lagP99?: number;
  /** The largest lag of any round. */
  lagMax?: number;
  cpuUs?: number;
  errors: number;
  firstError?: string;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function figures(m: Measurement): Figures {
  const r = m.rounds;
  const f: Figures = {
    rps: median(r.map((x) => x.requestsPerSecond)),
    p50: median(r.map((x) => x.latency.p50)),
    p99: median(r.map((x) => x.latency.p99)),
    errors: r.reduce((sum, x) => sum + x.errors, 0),
  };
  const firstError = r.find((x) => x.firstError !== undefined)?.firstError;
  if (firstError !== undefined) f.firstError = firstError;
  if (m.cpuUsPerRequest.length > 0) f.cpuUs = median(m.cpuUsPerRequest);
  if (m.scenario.stream) {
    f.ttfeP50 = median(r.map((x) => x.timeToFirstEvent?.p50 ?? 0));
    f.lagP99 = median(r.map((x) => x.eventLag?.p99 ?? 0));
    f.lagMax = Math.max(...r.map((x) => x.eventLag?.max ?? 0));
  }
  return f;
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** The figures as a Markdown table, one row per scenario and path. */
export function resultTable(measurements: Measurement[]): string {
  const head = [
    'scenario',
    'path',
    'req/s',
    'p50 ms',
    'p99 ms',
    'TTFE p50',
    'lag p99',
    'lag max',
    'CPU µs/req',
    'errors',
  ];
  const rows = measurements.map((m) => {
    const f = figures(m);
    return [
      m.scenario.key,
      m.path.label,
      f.rps.toFixed(0),
      ms(f.p50),
      ms(f.p99),
      ms(f.ttfeP50),
      ms(f.lagP99),
      ms(f.lagMax),
      f.cpuUs === undefined ? '-' : f.cpuUs.toFixed(0),
      String(f.errors),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i < 2 ? pad(c, widths[i] ?? 0) : lpad(c, widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w - 1)}:-`)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function find(measurements: Measurement[], scenario: string, path: PathKey): Figures | undefined {
  const m = measurements.find((x) => x.scenario.key === scenario && x.path.key === path);
  return m === undefined ? undefined : figures(m);
}

/** Gateway against the direct path and the minimal proxy, per scenario. */
export function comparisonTable(measurements: Measurement[]): string {
  const scenarios = [...new Set(measurements.map((m) => m.scenario.key))];
  const lines = [
    '| scenario | gateway path | added p50 ms | added TTFE p50 ms | req/s vs direct | req/s vs minimal |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const key of scenarios) {
    const direct = find(measurements, key, 'direct');
    const minimal = find(measurements, key, 'minimal');
    for (const path of [
      'gateway',
      'gateway-local',
      'gateway-anthropic',
      'gateway-responses',
      'gateway-quiet',
      'gateway-twin',
      'gateway-noobs',
      'gateway-noscrub',
      'gateway-baseline',
    ] as const) {
      const g = find(measurements, key, path);
      if (g === undefined || direct === undefined || minimal === undefined) continue;
      const addedTtfe =
        g.ttfeP50 === undefined || direct.ttfeP50 === undefined
          ? '-'
          : ms(g.ttfeP50 - direct.ttfeP50);
      lines.push(
        `| ${key} | ${path} | ${ms(g.p50 - direct.p50)} | ${addedTtfe} | ${(g.rps / direct.rps).toFixed(2)} | ${(g.rps / minimal.rps).toFixed(2)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** A feature's cost measured as an A/B in the same run: `with` against `without` it. */
export interface AbPair {
  with: PathKey;
  without: PathKey;
  what: string;
}

// A pair is two sibling proxies started the same way, the second with the feature off (or
// another build): `gateway-twin` (the default config) against `gateway-noobs`,
// `gateway-noscrub` or `gateway-baseline`. The
// `gateway` proxy itself also served the local model, its warm-ups and the cold starts, and its
// heap and timers differ from a sibling's by more than the feature under test.
export const AB_PAIRS: AbPair[] = [
  { with: 'gateway-twin', without: 'gateway-noobs', what: 'audit log + metrics' },
  { with: 'gateway-twin', without: 'gateway-noscrub', what: 'stream scrubber' },
  { with: 'gateway-twin', without: 'gateway-baseline', what: 'this build vs baseline' },
];

/** Median, smallest and largest of some values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The cost of `pair` in one scenario, round by round: the two paths' rounds ran one after the
 * other (interleaved), so a burst of load from elsewhere hits both of a pair alike. Throughput
 * cost `1 - with/without` and extra CPU µs per request, each as median and range over rounds.
 */
export function pairedCost(
  measurements: Measurement[],
  scenario: string,
  pair: AbPair,
): { throughput: Spread; cpuUs?: Spread } | undefined {
  const a = measurements.find((x) => x.scenario.key === scenario && x.path.key === pair.with);
  const b = measurements.find((x) => x.scenario.key === scenario && x.path.key === pair.without);
  if (a === undefined || b === undefined) return undefined;
  const rounds = Math.min(a.rounds.length, b.rounds.length);
  const costs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const without = b.rounds[i]?.requestsPerSecond ?? 0;
    if (without > 0) costs.push(1 - (a.rounds[i]?.requestsPerSecond ?? 0) / without);
  }
  const throughput = spread(costs);
  if (throughput === undefined) return undefined;
  const cpu: number[] = [];
  for (let i = 0; i < Math.min(a.cpuUsPerRequest.length, b.cpuUsPerRequest.length); i++) {
    cpu.push((a.cpuUsPerRequest[i] ?? 0) - (b.cpuUsPerRequest[i] ?? 0));
  }
  const cpuUs = spread(cpu);
  return cpuUs === undefined ? { throughput } : { throughput, cpuUs };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The same-run A/B costs (audit and metrics, scrubber, baseline), round by round. */
export function abTable(measurements: Measurement[]): string {
  const lines = [
    '| scenario | cost of | throughput cost, median [min, max] of rounds | CPU µs/req added, median [min, max] |',
    '|---|---|--:|--:|',
  ];
  const scenarios = [...new Set(measurements.map((m) => m.scenario.key))];
  for (const key of scenarios) {
    for (const pair of AB_PAIRS) {
      const c = pairedCost(measurements, key, pair);
      if (c === undefined) continue;
      const t = c.throughput;
      const cpu =
        c.cpuUs === undefined
          ? '-'
          : `${c.cpuUs.median.toFixed(0)} [${c.cpuUs.min.toFixed(0)}, ${c.cpuUs.max.toFixed(0)}]`;
      lines.push(
        `| ${key} | ${pair.what} | ${pct(t.median)} [${pct(t.min)}, ${pct(t.max)}] | ${cpu} |`,
      );
    }
  }
  return lines.length === 2 ? '' : lines.join('\n');
}

/** The targets set for this machine, each met or missed. */
export function checkTargets(measurements: Measurement[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const path of ['gateway', 'gateway-local'] as const) {
    for (const key of ['json-c32', 'sse-c32']) {
      const g = find(measurements, key, path);
      const minimal = find(measurements, key, 'minimal');
      if (g === undefined || minimal === undefined) continue;
      const ratio = g.rps / minimal.rps;
      checks.push({
        target: `${path} ${key}: throughput >= 70% of the minimal proxy`,
        measured: `${(ratio * 100).toFixed(1)}% (${g.rps.toFixed(0)} vs ${minimal.rps.toFixed(0)} req/s)`,
        met: ratio >= 0.7,
      });
    }
    const g = find(measurements, 'json-c1', path);
    const direct = find(measurements, 'json-c1', 'direct');
    if (g !== undefined && direct !== undefined) {
      const added = g.p50 - direct.p50;
      checks.push({
        target: `${path} json-c1: added p50 latency < 0.5 ms`,
        measured: `${added.toFixed(3)} ms (${g.p50.toFixed(3)} vs ${direct.p50.toFixed(3)} ms)`,
        met: added < 0.5,
      });
    }
  }
  // The costs of the audit log, the metrics and the scrubber are checked by the same-process
  // A/B (same-process-ab.ts); the sibling pairs above (abTable) are figures only: two
  // processes differ by more than those budgets from one round to the next.
  for (const m of measurements.filter((x) => x.scenario.key === 'sse-paced')) {
    const f = figures(m);
    checks.push({
      target: `${m.path.key} sse-paced: no event held back (max lag < ${PACED_GAP_MS} ms gap)`,
      measured: `max lag ${ms(f.lagMax)} ms, p99 ${ms(f.lagP99)} ms`,
      met: (f.lagMax ?? Infinity) < PACED_GAP_MS,
    });
  }
  const failed = measurements.filter((m) => figures(m).errors > 0);
  checks.push({
    target: 'every response complete (status 200, all events, [DONE])',
    measured:
      failed.length === 0
        ? 'all complete'
        : failed
            .map(
              (m) =>
                `${m.scenario.key}/${m.path.key}: ${figures(m).errors} (${figures(m).firstError})`,
            )
            .join('; '),
    met: failed.length === 0,
  });
  return checks;
}
