// The audit log's and the metrics' cost between two gateway processes, as a user would compare
// them: one with both on (the default), one with both off, each in its own process, both pinned
// to the same CPU and loaded at the same time (the load and the upstream on the other CPUs).
//
// The same-process A/B (same-process-ab.ts) keeps both sides in one process: one heap, one JIT.
// Whatever the audited side does to the process as a whole (how much of the young generation
// survives a scavenge, how often the old generation is marked, what its code does to the
// shared call sites) is paid by both sides there, and cancels out of its ratio. Here it does not.
// Two processes on one CPU share the machine's moment-to-moment state as the phases of the
// same-process A/B do, since the kernel splits that CPU between them every few milliseconds:
// the A/A run (both sides on) reads within ±1%.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus as cpuList } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_UPSTREAM_KEY,
  PROXY_ENV,
  PROXY_NODE_FLAGS,
  REMOTE_MODEL,
  remoteProxyConfig,
  startFakeUpstream,
} from './bench-gateway.js';
import { job } from './bench-jobs.js';
import { forceGcModule, quietGatewayMain } from './bench-paths.js';
import { benchPlan } from './bench-plan.js';
import type { BenchPath, Scenario } from './bench-plan.js';
import { LoadClient } from './load-client-process.js';
import { median } from './bench-report.js';
import type { TargetCheck } from './bench-report.js';
import { cpuTimeMs, startService } from './service.js';
import type { Service } from './service.js';

/** One round: each side's CPU (ms, from /proc) and requests over the same seconds. */
export interface PairRound {
  a: { cpuMs: number; requests: number };
  b: { cpuMs: number; requests: number };
}

export interface PairResult {
  /** CPU µs per request over all the rounds of each side. */
  a: number;
  b: number;
  /** a / b − 1; and the mean of the rounds' own ratios with its standard error. */
  cpuCost: number;
  roundMean: number;
  roundError: number;
  /** Requests side B served over side A's, minus one (B's throughput advantage). */
  throughputCost: number;
}

/** The mean of `values` and its standard error (NaN for fewer than two values). */
function meanAndError(values: number[]): { mean: number; error: number } {
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  const variance =
    values.length < 2
      ? Number.NaN
      : values.reduce((x, y) => x + (y - mean) ** 2, 0) / (values.length - 1);
  return { mean, error: Math.sqrt(variance / values.length) };
}

/** The cost over the rounds: totals, and the rounds' spread (their ratios' standard error). */
export function pairResult(rounds: PairRound[]): PairResult {
  const sum = (pick: (r: PairRound) => number): number =>
    rounds.reduce((total, r) => total + pick(r), 0);
  const a = (sum((r) => r.a.cpuMs) * 1000) / sum((r) => r.a.requests);
  const b = (sum((r) => r.b.cpuMs) * 1000) / sum((r) => r.b.requests);
  const ratios = rounds.map((r) => r.a.cpuMs / r.a.requests / (r.b.cpuMs / r.b.requests) - 1);
  const { mean, error } = meanAndError(ratios);
  return {
    a,
    b,
    cpuCost: a / b - 1,
    roundMean: mean,
    roundError: error,
    throughputCost: sum((r) => r.b.requests) / sum((r) => r.a.requests) - 1,
  };
}

/** Runs `taskset` (util-linux) to set the CPUs of a process and, with `all`, of its threads. */
function pin(pid: number, cpus: string, all: boolean): void {
  execFileSync('taskset', [...(all ? ['-a'] : []), '-p', '-c', cpus, String(pid)], {
    stdio: 'ignore',
  });
}

export interface PinnedPairOptions {
  scenario: Scenario;
  rounds: number;
  roundMs: number;
  /** Side A's and side B's audit log and metrics (the default: A on, B off). */
  observability: { a: boolean; b: boolean };
  /** A directory of its own: the upstream's, the gateways' homes and logs. */
  work: string;
  /** Where what it starts is listed too (it stops them itself when done). */
  services: Service[];
  /**
   * A full collection forced in both gateways this long after their start, under load, with
   * their GC traced (`--trace-gc-nvp`, in `pinned-a.out` and `pinned-b.out`): gc-trace.ts reads
   * what it changed.
   */
  gcAtMs?: number;
  /**
   * Another checkout's built gateway on a side (its root: `…/integration-tests/dist/bench/
   * quiet-gateway-main.js` is run), to compare two builds instead of audit on and off.
   */
  builds?: { a?: string; b?: string };
}

/** Whether this machine can run the pinned pair: two CPUs or more, and Linux's `taskset`. */
export function canPin(): boolean {
  if (cpuList().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins this process to every CPU but the last (so the upstream and the two load clients it
 * starts run there), starts the two gateways on the last one, and loads both at once, round by
 * round. Needs `canPin()`.
 */
export async function runPinnedPair(options: PinnedPairOptions): Promise<PairResult> {
  const cpus = cpuList().length;
  if (!canPin()) throw new Error('the pinned pair needs two CPUs and taskset');
  pin(process.pid, `0-${cpus - 2}`, false);
  const gatewayCpu = String(cpus - 1);
  mkdirSync(options.work, { recursive: true });
  const started: Service[] = [];
  const clients: [LoadClient, LoadClient] = [new LoadClient(), new LoadClient()];
  try {
    const register = (s: Service): void => {
      started.push(s);
      options.services.push(s);
    };
    const upstream = await startFakeUpstream(options.work);
    register(upstream);
    return await loadPair(options, upstream.url, gatewayCpu, clients, register);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const s of started.reverse()) await s.stop(10_000);
  }
}

async function loadPair(
  options: PinnedPairOptions,
  upstreamUrl: string,
  gatewayCpu: string,
  [ca, cb]: [LoadClient, LoadClient],
  register: (s: Service) => void,
): Promise<PairResult> {
  const { gcAtMs } = options;
  const gcFlags =
    gcAtMs === undefined ? [] : ['--expose-gc', '--trace-gc-nvp', `--import=${forceGcModule}`];
  const gcEnv: Record<string, string> =
    gcAtMs === undefined ? {} : { MLX_BENCH_GC_AT_MS: String(gcAtMs) };
  const gateway = async (side: 'a' | 'b'): Promise<{ service: Service; path: BenchPath }> => {
    const home = join(options.work, `pinned-${side}`);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const file = join(home, 'config.yaml');
    writeFileSync(file, remoteProxyConfig(upstreamUrl, options.observability[side]), {
      mode: 0o600,
    });
    const service = await startService({
      name: `pinned gateway ${side}`,
      nodeArgs: [...PROXY_NODE_FLAGS, ...gcFlags, gatewayMainOf(options.builds?.[side]), file],
      env: { MLX_GATEWAY_HOME: home, BENCH_UPSTREAM_KEY, ...PROXY_ENV, ...gcEnv },
      logFile: join(options.work, `pinned-${side}.out`),
      ready: /quiet gateway listening on (\S+)/,
    });
    register(service);
    pin(service.pid, gatewayCpu, true);
    const path: BenchPath = {
      key: 'gateway',
      label: side,
      origin: service.url,
      model: REMOTE_MODEL,
      pids: [],
    };
    return { service, path };
  };
  const a = await gateway('a');
  const b = await gateway('b');
  const scenario = {
    ...options.scenario,
    concurrency: Math.max(1, Math.floor(options.scenario.concurrency / 2)),
  };
  const cpuOf = (s: Service): number => cpuTimeMs(s.pid) ?? Number.NaN;
  // The JIT and the heaps settle over the first seconds: a short warm-up left the first
  // round's CPU per request at twice the others'.
  await Promise.all([
    ca.run(job(a.path, scenario, WARMUP_MS)),
    cb.run(job(b.path, scenario, WARMUP_MS)),
  ]);
  const rounds: PairRound[] = [];
  for (let i = 0; i < options.rounds; i++) {
    const a0 = cpuOf(a.service);
    const b0 = cpuOf(b.service);
    const [ra, rb] = await Promise.all([
      ca.run(job(a.path, scenario, options.roundMs)),
      cb.run(job(b.path, scenario, options.roundMs)),
    ]);
    if (ra.errors + rb.errors > 0) throw new Error('requests failed during the pinned pair');
    rounds.push({
      a: { cpuMs: cpuOf(a.service) - a0, requests: ra.requests },
      b: { cpuMs: cpuOf(b.service) - b0, requests: rb.requests },
    });
  }
  return pairResult(rounds);
}

const WARMUP_MS = 5_000;

/** The quiet gateway of a checkout (its root), or this one's. */
function gatewayMainOf(root: string | undefined): string {
  return root === undefined
    ? quietGatewayMain
    : join(root, 'integration-tests/dist/bench/quiet-gateway-main.js');
}

/** The scenario `main.js` runs the pair on. */
const MAIN_SCENARIO = 'json-c32';

/** One process pair of a measurement: which slot the audited gateway had, and its rounds. */
export interface PairRun {
  auditedFirst: boolean;
  result: PairResult;
}

/** Several process pairs in both slot orders, and the cost read from them together. */
export interface PairBothOrders {
  scenario: string;
  rounds: number;
  pairs: PairRun[];
  /** The geometric mean of the pairs' on-over-off ratios, minus one. */
  cost: number;
  /** The standard error of that mean, from the spread of the pairs (as a fraction of 1 + cost). */
  costError: number;
  /**
   * The median of the pairs' costs: what the target is checked on, as one far-out pair (a
   * machine hiccup in its few seconds) does not move it. Before session 13 such pairs came from
   * a gateway's first full collection, which left it ~15% dearer for good (docs/benchmarks.md,
   * "ninth look" and "tenth look").
   */
  median: number;
}

/** The audited gateway's CPU per request over the other's, minus one, for one pair. */
export function auditedCost(run: PairRun): number {
  return run.auditedFirst ? run.result.cpuCost : 1 / (1 + run.result.cpuCost) - 1;
}

/**
 * The cost over several process pairs: each pair's on-over-off ratio, their geometric mean and
 * its standard error from the pairs' spread, and their median. A pair's rounds agree within
 * ~1%, but two pairs of fresh processes differ by ~3% (what each process's JIT and heap settle
 * into), so the pairs, not the rounds, are the samples.
 */
export function pairsCost(runs: PairRun[]): { cost: number; costError: number; median: number } {
  const costs = runs.map(auditedCost);
  const { mean, error } = meanAndError(costs.map((c) => Math.log(1 + c)));
  return { cost: Math.exp(mean) - 1, costError: error, median: median(costs) };
}

/** Pairs of processes `main.js` runs by default: fewer read a median too loose for the target. */
export const DEFAULT_PAIRS = 20;
/** Rounds of 2 s spread over them by default (two per pair). */
export const DEFAULT_ROUNDS = 40;

/**
 * The pair as `main.js` runs it: audit log and metrics on against both off, on json-c32, rounds
 * of 2 s, in `pairs` fresh pairs of processes, the audited gateway started first in every other
 * one (the slot started first reads ~2% dearer whatever runs in it: off against off read
 * +2.9%, on against on +1.5%); undefined for no rounds, or (with a word on stderr) where it
 * cannot pin.
 */
export async function measurePinnedPair(
  rounds: number,
  work: string,
  services: Service[],
  pairs = DEFAULT_PAIRS,
): Promise<PairBothOrders | undefined> {
  if (!(Number.isInteger(rounds) && rounds > 1)) return undefined;
  if (!canPin()) {
    process.stderr.write('the pinned pair is skipped: it needs two CPUs and taskset\n');
    return undefined;
  }
  const count = Math.max(2, Math.floor(pairs / 2) * 2);
  const scenario = benchPlan(false, 1, false).find((s) => s.key === MAIN_SCENARIO)!;
  const runs: PairRun[] = [];
  for (let i = 0; i < count; i++) {
    const auditedFirst = i % 2 === 0;
    const result = await runPinnedPair({
      scenario,
      rounds: Math.max(2, Math.round(rounds / count)),
      roundMs: 2000,
      observability: { a: auditedFirst, b: !auditedFirst },
      work: join(work, `pair-${i + 1}`),
      services,
    });
    runs.push({ auditedFirst, result });
  }
  return { scenario: scenario.key, rounds, pairs: runs, ...pairsCost(runs) };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One order's line: CPU per request of each slot and the cost of slot A over slot B. */
export function pinnedPairLine(r: PairResult): string {
  return `CPU µs per request: A ${r.a.toFixed(1)}, B ${r.b.toFixed(1)}: A over B ${pct(r.cpuCost)} (rounds ${pct(r.roundMean)} ± ${pct(r.roundError)})`;
}

/** The pair's lines for a report. */
export function pinnedPairLines(r: PairBothOrders): string[] {
  return [
    `Two gateway processes pinned to one CPU, loaded at once (${r.scenario}, ${r.rounds} rounds in ${r.pairs.length} pairs): audit log + metrics on against both off`,
    ...r.pairs.map(
      (p, i) =>
        `  pair ${i + 1}, audited gateway started ${p.auditedFirst ? 'first (A)' : 'second (B)'}: ${pinnedPairLine(p.result)}; audited ${pct(auditedCost(p))}`,
    ),
    `  cost over the pairs: median ${pct(r.median)}; geometric mean ${pct(r.cost)} ± ${pct(r.costError)} (standard error)`,
  ];
}

/** The issue-13 target read from the pairs: the audit log and the metrics cost under 5%. */
export function pinnedPairCheck(r: PairBothOrders): TargetCheck {
  return {
    target: `${r.scenario}: audit log + metrics cost < 5.0% of the CPU per request (two processes pinned to one CPU, median of ${r.pairs.length} pairs, both orders)`,
    measured: `${pct(r.median)} (geometric mean ${pct(r.cost)} ± ${pct(r.costError)}; pairs ${r.pairs.map((p) => pct(auditedCost(p))).join(', ')})`,
    met: r.median < 0.05,
  };
}
