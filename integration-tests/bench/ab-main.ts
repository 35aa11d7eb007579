// Same-process A/B of a feature's cost: `node integration-tests/dist/bench/ab-main.js
// [--feature audit,scrub] [--only json-c32,sse-c1,sse-c32] [--phases 40] [--phase-ms 1000]
// [--chunks]`.
//
// Comparing two proxy processes (`main.js`, the gateway-twin/-noobs/-noscrub pairs) leaves
// ±10 µs of noise per request on this shared 2-core machine, more than the budgets being
// checked. Here one process serves both sides (ab-gateway-main.ts) and the load alternates
// between them in short phases, in A B B A order; each phase's CPU per request is read from
// the process itself (µs resolution), so both sides share the runtime, the JIT's code, the
// heap and whatever else runs on the machine at that moment. The cost is side A's CPU per
// request over all its phases against side B's (their totals: the phase-to-phase noise
// averages out, and the A B B A order cancels a drift), with the spread of the same ratio
// pair by pair; the throughput cost is the median over the pairs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import {
  BENCH_UPSTREAM_KEY,
  PROXY_ENV,
  PROXY_NODE_FLAGS,
  REMOTE_MODEL,
  startFakeUpstream,
} from './bench-gateway.js';
import { abGatewayMain } from './bench-paths.js';
import { benchPlan } from './bench-plan.js';
import type { BenchPath, Scenario } from './bench-plan.js';
import { job } from './bench-jobs.js';
import { LoadClient } from './load-client-process.js';
import { startService } from './service.js';
import type { Service } from './service.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    feature: { type: 'string', default: 'audit,scrub' },
    only: { type: 'string' },
    phases: { type: 'string', default: '40' },
    'phase-ms': { type: 'string', default: '1000' },
    chunks: { type: 'boolean', default: false },
  },
});

type Feature = 'audit' | 'scrub';
const FEATURES: Record<Feature, { what: string; budget: number; scenarios: string[] }> = {
  audit: { what: 'audit log + metrics', budget: 0.05, scenarios: ['json-c32', 'sse-c32'] },
  scrub: { what: 'stream scrubber', budget: 0.02, scenarios: ['sse-c1', 'sse-c32'] },
};

interface Phase {
  side: 'A' | 'B';
  cpuUs: number;
  requests: number;
  requestsPerSecond: number;
}

interface AbResult {
  feature: Feature;
  scenario: string;
  /** CPU µs per request over all the phases of each side (their CPU over their requests). */
  a: number;
  b: number;
  /** a / b − 1, and the spread of the same ratio pair by pair (A B, B A, …). */
  cpuCost: { total: number; min: number; max: number };
  throughputCost: number;
  errors: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function cpuAt(control: string, phase?: 'A' | 'B'): Promise<number> {
  const res = await request(`${control}/${phase === undefined ? 'cpu' : `phase?p=${phase}`}`);
  return ((await res.body.json()) as { cpuUs: number }).cpuUs;
}

function proxyConfig(upstream: string, observability: boolean): string {
  return `listen: 127.0.0.1:0
models:
  ${REMOTE_MODEL}:
    backend: openai-compatible
    url: ${upstream}/v1
    apiKey: \${env:BENCH_UPSTREAM_KEY}
    allowPrivateNetwork: true
${observability ? '' : 'audit:\n  enabled: false\nmetrics:\n  enabled: false\n'}`;
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
    writeFileSync(file, proxyConfig(upstream, observability), { mode: 0o600 });
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
    cpuCost: { total: a / b - 1, min: Math.min(...cpu), max: Math.max(...cpu) },
    throughputCost: median(tput),
    errors,
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function report(results: AbResult[]): string {
  const lines = [
    '| scenario | cost of (same process) | CPU µs/req with | without | added | CPU cost [min, max of pairs] | throughput cost, median of pairs |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.scenario} | ${FEATURES[r.feature].what} | ${r.a.toFixed(1)} | ${r.b.toFixed(1)} | ${(r.a - r.b).toFixed(1)} | ${pct(r.cpuCost.total)} [${pct(r.cpuCost.min)}, ${pct(r.cpuCost.max)}] | ${pct(r.throughputCost)} |`,
    );
  }
  lines.push('', 'Targets:');
  for (const r of results) {
    const { what, budget } = FEATURES[r.feature];
    const met = r.cpuCost.total < budget && r.errors === 0;
    lines.push(
      `  ${met ? 'met   ' : 'MISSED'}  ${r.scenario}: ${what} costs < ${pct(budget)} of the CPU per request (same process): ${pct(r.cpuCost.total)}${r.errors > 0 ? `, ${r.errors} errors` : ''}`,
    );
  }
  return lines.join('\n');
}

const work = mkdtempSync(join(tmpdir(), 'mlxgw-ab-'));
const services: Service[] = [];
const client = new LoadClient();
try {
  const upstream = await startFakeUpstream(work);
  services.push(upstream);
  const only = values.only?.split(',');
  const plan = benchPlan(false, 1, values.chunks);
  const results: AbResult[] = [];
  for (const feature of values.feature.split(',') as Feature[]) {
    if (FEATURES[feature] === undefined) throw new Error(`unknown feature ${feature}`);
    const gateway = await startAbGateway(feature, work, upstream.url);
    services.push(gateway.service);
    for (const key of FEATURES[feature].scenarios.filter((k) => only?.includes(k) ?? true)) {
      const scenario = plan.find((s) => s.key === key)!;
      process.stderr.write(`${feature}: ${scenario.label}\n`);
      results.push(
        await measure(
          feature,
          scenario,
          gateway,
          client,
          Number(values.phases),
          Number(values['phase-ms']),
        ),
      );
    }
  }
  process.stdout.write(`${report(results)}\n`);
} finally {
  await client.close();
  for (const s of services.reverse()) await s.stop();
  rmSync(work, { recursive: true, force: true });
}
