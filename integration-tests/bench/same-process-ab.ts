// The same-process A/B of a feature's cost, run by `ab-main.js` on its own and by `main.js`
// (the whole benchmark) for its cost targets.
//
// Comparing two proxy processes (the gateway-twin/-noobs/-noscrub pairs) leaves ±10 µs of noise
// per request on this shared 2-core machine, more than the budgets being checked. Here one
// process serves both sides (ab-gateway-main.ts) and the load alternates between them in short
// phases, in A B B A order; each phase's CPU per request is read from the process itself (µs
// resolution), so both sides share the runtime, the JIT's code, the heap and whatever else runs
// on the machine at that moment. The cost is side A's CPU per request over all its phases
// against side B's (their totals: the phase-to-phase noise averages out, and the A B B A order
// cancels a drift), with the spread of the same ratio pair by pair and a 95% interval of the
// total's ratio (bootstrap over the pairs, `costInterval`); the throughput cost is the median
// over the pairs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import {
  BENCH_UPSTREAM_KEY,
  PROXY_ENV,
  PROXY_NODE_FLAGS,
  REMOTE_MODEL,
  remoteProxyConfig,
} from './bench-gateway.js';
import { abGatewayMain } from './bench-paths.js';
import { benchPlan } from './bench-plan.js';
import type { BenchPath, Scenario } from './bench-plan.js';
import { job } from './bench-jobs.js';
import type { LoadClient } from './load-client-process.js';
import { startService } from './service.js';
import type { TargetCheck } from './bench-report.js';
import type { Service } from './service.js';

export type Feature = 'audit' | 'scrub';
export const FEATURES: Record<Feature, { what: string; budget: number; scenarios: string[] }> = {
  audit: { what: 'audit log + metrics', budget: 0.05, scenarios: ['json-c32', 'sse-c32'] },
  scrub: { what: 'stream scrubber', budget: 0.02, scenarios: ['sse-c1', 'sse-c32'] },
};

interface Phase {
  side: 'A' | 'B';
  cpuUs: number;
  requests: number;
  requestsPerSecond: number;
}

export interface AbResult {
  feature: Feature;
  scenario: string;
  /** CPU µs per request over all the phases of each side (their CPU over their requests). */
  a: number;
  b: number;
  /**
   * a / b − 1; the spread of the same ratio pair by pair (A B, B A, …); and a 95% interval of
   * the total's ratio (pairs resampled, `costInterval`).
   */
  cpuCost: { total: number; min: number; max: number; low: number; high: number };
  throughputCost: number;
  errors: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The CPU and the requests of one phase. */
export interface PhaseCpu {
  cpuUs: number;
  requests: number;
}

/** A small seeded generator (mulberry32): the same run gives the same interval. */
function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A 95% interval of side A's CPU per request over side B's, minus one, by the bootstrap: the
 * pairs (A and B phases side by side) are drawn with replacement, as many as there are, and
 * the ratio of the drawn phases' totals taken, `draws` times. The spread pair by pair says how
 * much one phase can mislead; this says how far the total itself may be from what more phases
 * would read.
 */
export function costInterval(
  as: PhaseCpu[],
  bs: PhaseCpu[],
  draws = 2000,
): { low: number; high: number } {
  const pairs = Math.min(as.length, bs.length);
  if (pairs === 0) return { low: Number.NaN, high: Number.NaN };
  const random = seeded(pairs * 7919 + draws);
  const ratios: number[] = [];
  for (let d = 0; d < draws; d++) {
    let aCpu = 0;
    let aReq = 0;
    let bCpu = 0;
    let bReq = 0;
    for (let k = 0; k < pairs; k++) {
      const i = Math.floor(random() * pairs);
      const a = as[i]!;
      const b = bs[i]!;
      aCpu += a.cpuUs;
      aReq += a.requests;
      bCpu += b.cpuUs;
      bReq += b.requests;
    }
    ratios.push(aCpu / aReq / (bCpu / bReq) - 1);
  }
  ratios.sort((x, y) => x - y);
  return {
    low: ratios[Math.floor(0.025 * (draws - 1))]!,
    high: ratios[Math.ceil(0.975 * (draws - 1))]!,
  };
}

async function cpuAt(control: string, phase?: 'A' | 'B'): Promise<number> {
  const res = await request(`${control}/${phase === undefined ? 'cpu' : `phase?p=${phase}`}`);
  return ((await res.body.json()) as { cpuUs: number }).cpuUs;
}

/** The feature's two sides in one gateway process. */
async function startAbGateway(
  feature: Feature,
  work: string,
  upstream: string,
): Promise<{ service: Service; a: string; b: string; control: string }> {
  const home = join(work, `home-${feature}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const write = (name: string, observability: boolean): string => {
    const file = join(home, name);
    writeFileSync(file, remoteProxyConfig(upstream, observability), { mode: 0o600 });
    return file;
  };
  const args = [feature, write('config.yaml', true)];
  if (feature === 'audit') args.push(write('config-b.yaml', false));
  const service = await startService({
    name: `ab gateway (${feature})`,
    nodeArgs: [...PROXY_NODE_FLAGS, abGatewayMain, ...args],
    env: { MLX_GATEWAY_HOME: home, BENCH_UPSTREAM_KEY, ...PROXY_ENV },
    logFile: join(work, `ab-${feature}.out`),
    ready: /(ab gateway A \S+ B \S+ control \S+)/,
  });
  const urls = service.url.split(' ').filter((w) => w.startsWith('http'));
  return { service, a: urls[0]!, b: urls[1]!, control: urls[2]! };
}

async function measure(
  feature: Feature,
  scenario: Scenario,
  gateway: { a: string; b: string; control: string },
  client: LoadClient,
  phases: number,
  phaseMs: number,
): Promise<AbResult> {
  const path = (origin: string): BenchPath => ({
    key: 'gateway',
    label: feature,
    origin,
    model: REMOTE_MODEL,
    pids: [],
  });
  const sides = { A: path(gateway.a), B: path(gateway.b) };
  for (const side of ['A', 'B'] as const) {
    await cpuAt(gateway.control, side);
    await client.run(job(sides[side], scenario, scenario.warmupMs));
  }
  const results: Phase[] = [];
  let errors = 0;
  for (let i = 0; i < phases; i++) {
    // A B B A A B B A …: a drift in the machine's state hits both sides alike.
    const side = (i % 4 === 0 || i % 4 === 3 ? 'A' : 'B') as 'A' | 'B';
    const before = await cpuAt(gateway.control, side);
    const r = await client.run(job(sides[side], scenario, phaseMs));
    const after = await cpuAt(gateway.control);
    errors += r.errors;
    if (r.requests === 0) continue;
    results.push({
      side,
      cpuUs: after - before,
      requests: r.requests,
      requestsPerSecond: r.requestsPerSecond,
    });
  }
  const of = (side: 'A' | 'B'): Phase[] => results.filter((p) => p.side === side);
  const as = of('A');
  const bs = of('B');
  const pairs = Math.min(as.length, bs.length);
  const cpu: number[] = [];
  const tput: number[] = [];
  const perRequest = (p: Phase): number => p.cpuUs / p.requests;
  for (let i = 0; i < pairs; i++) {
    cpu.push(perRequest(as[i]!) / perRequest(bs[i]!) - 1);
    tput.push(1 - as[i]!.requestsPerSecond / bs[i]!.requestsPerSecond);
  }
  const overall = (ps: Phase[]): number =>
    ps.reduce((sum, p) => sum + p.cpuUs, 0) / ps.reduce((sum, p) => sum + p.requests, 0);
  const a = overall(as);
  const b = overall(bs);
  return {
    feature,
    scenario: scenario.key,
    a,
    b,
    cpuCost: {
      total: a / b - 1,
      min: Math.min(...cpu),
      max: Math.max(...cpu),
      ...costInterval(as, bs),
    },
    throughputCost: median(tput),
    errors,
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The figures, one row per feature and scenario. */
export function abTableLines(results: AbResult[]): string[] {
  const lines = [
    '| scenario | cost of (same process) | CPU µs/req with | without | added | CPU cost (95% interval) [min, max of pairs] | throughput cost, median of pairs |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.scenario} | ${FEATURES[r.feature].what} | ${r.a.toFixed(1)} | ${r.b.toFixed(1)} | ${(r.a - r.b).toFixed(1)} | ${pct(r.cpuCost.total)} (${pct(r.cpuCost.low)} to ${pct(r.cpuCost.high)}) [${pct(r.cpuCost.min)}, ${pct(r.cpuCost.max)}] | ${pct(r.throughputCost)} |`,
    );
  }
  return lines;
}

/** Each feature's budget, met or missed, per scenario. */
export function abChecks(results: AbResult[]): TargetCheck[] {
  return results.map((r) => {
    const { what, budget } = FEATURES[r.feature];
    return {
      target: `${r.scenario}: ${what} costs < ${pct(budget)} of the CPU per request (same process)`,
      measured: `${pct(r.cpuCost.total)} (95% interval ${pct(r.cpuCost.low)} to ${pct(r.cpuCost.high)})${r.errors > 0 ? `, ${r.errors} errors` : ''}`,
      met: r.cpuCost.total < budget && r.errors === 0,
    };
  });
}

export interface AbRun {
  features: Feature[];
  /** Only these scenarios (of each feature's own). */
  only?: string[];
  phases: number;
  phaseMs: number;
  /** The streams carry full OpenAI chunks (see bench-plan.ts). */
  chunks: boolean;
  work: string;
  upstreamUrl: string;
  client: LoadClient;
  /** Where the A/B gateways go, for the caller to stop. */
  services: Service[];
}

/** Each feature's A/B on its scenarios, one gateway process per feature. */
export async function runSameProcessAb(run: AbRun): Promise<AbResult[]> {
  const plan = benchPlan(false, 1, run.chunks);
  const results: AbResult[] = [];
  for (const feature of run.features) {
    if (FEATURES[feature] === undefined) throw new Error(`unknown feature ${feature}`);
    const scenarios = FEATURES[feature].scenarios.filter((k) => run.only?.includes(k) ?? true);
    if (scenarios.length === 0) continue;
    const gateway = await startAbGateway(feature, run.work, run.upstreamUrl);
    run.services.push(gateway.service);
    for (const key of scenarios) {
      const scenario = plan.find((s) => s.key === key)!;
      process.stderr.write(`same-process A/B, ${FEATURES[feature].what}: ${scenario.label}\n`);
      results.push(await measure(feature, scenario, gateway, run.client, run.phases, run.phaseMs));
    }
  }
  return results;
}
