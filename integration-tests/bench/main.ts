// The gateway benchmark: `pnpm bench` or `node integration-tests/dist/bench/main.js [--quick]
// [--json FILE] [--profile DIR] [--only SCENARIO,...] [--paths PATH,...] [--quiet-gateway]
// [--baseline CHECKOUT] [--rounds N] [--chunks] [--together]`.
// See docs/benchmarks.md.
//
// In one run it starts a fast fake upstream, a minimal undici pass-through proxy, the gateway
// (supervisor and proxy processes) and a load client process, then measures every scenario
// against: the upstream directly, the minimal proxy, the gateway routing to a remote
// (openai-compatible) model, the gateway routing to a ready local model, the same gateway
// with its audit log and metrics off (`gateway-noobs`, their cost) and the same gateway holding
// no secret, so without the stream scrubber (`gateway-noscrub`, its cost). It prints the
// figures, the same-run A/B costs round by round, and whether each target was met; it exits
// non-zero only when something crashed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  LOCAL_MODEL,
  PROXY_ENV,
  PROXY_NODE_FLAGS,
  REMOTE_MODEL,
  startBenchGateway,
  writeNoObservabilityConfig,
  writeNoScrubConfig,
  startFakeUpstream,
} from './bench-gateway.js';
import { minimalProxyMain, proxyMain, quietGatewayMain } from './bench-paths.js';
import { LoadClient } from './load-client-process.js';
import type { BenchGateway } from './bench-gateway.js';
import { benchPlan } from './bench-plan.js';
import type { BenchPath, PathKey, Scenario } from './bench-plan.js';
import { abTable, checkTargets, comparisonTable, resultTable } from './bench-report.js';
import { footprintChecks, footprintLines } from './footprint-report.js';
import type { Footprint } from './footprint-report.js';
import { gatewayIdleMemory, measureFootprint } from './footprint-run.js';
import type { Measurement } from './bench-report.js';
import type { LoadResult } from './load-protocol.js';
import { startService } from './service.js';
import { cpuOf, cpuPerRequest, job } from './bench-jobs.js';
import { measureTogether, togetherTable } from './together.js';
import {
  DEFAULT_PAIRS,
  DEFAULT_ROUNDS,
  measurePinnedPair,
  pinnedPairCheck,
  pinnedPairLines,
} from './pinned-pair.js';
import type { PairBothOrders } from './pinned-pair.js';
import { abChecks, abTableLines, runSameProcessAb } from './same-process-ab.js';
import type { AbResult } from './same-process-ab.js';
import type { Service } from './service.js';

async function measure(
  client: LoadClient,
  paths: BenchPath[],
  scenario: Scenario,
): Promise<Measurement[]> {
  const out = paths.map((path) => ({
    scenario,
    path,
    rounds: [] as LoadResult[],
    cpuUsPerRequest: [] as number[],
  }));
  if (scenario.warmupMs > 0) {
    for (const m of out) await client.run(job(m.path, scenario, scenario.warmupMs));
  }
  for (let round = 0; round < scenario.rounds; round++) {
    // Each round starts one path further on: no path always follows the same one (the one
    // before leaves its own traces: the load client's garbage, sockets, the machine's caches).
    const order = out.map((_, i) => out[(i + round) % out.length] as (typeof out)[number]);
    for (const m of order) {
      const cpuBefore = cpuOf(m.path.pids);
      const result = await client.run(job(m.path, scenario, scenario.durationMs));
      const cpu = cpuPerRequest(cpuBefore, cpuOf(m.path.pids), result.requests);
      m.rounds.push(result);
      if (cpu !== undefined) m.cpuUsPerRequest.push(cpu);
      process.stderr.write(
        `  ${scenario.key} ${m.path.label} round ${round + 1}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latency.p50.toFixed(3)} ms${result.errors > 0 ? `, ${result.errors} errors` : ''}\n`,
      );
    }
  }
  return out;
}

type BenchArgs = ReturnType<typeof parseBenchArgs>['values'];

function parseBenchArgs() {
  return parseArgs({
    // `pnpm bench -- --quick` passes the `--` along.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      profile: { type: 'string' },
      only: { type: 'string' },
      paths: { type: 'string' },
      'quiet-gateway': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      rounds: { type: 'string' },
      chunks: { type: 'boolean', default: false },
      'ab-phases': { type: 'string' },
      'pinned-rounds': { type: 'string' },
      'pinned-pairs': { type: 'string' },
      together: { type: 'boolean', default: false },
    },
  });
}

/** What a run started, stopped in reverse order at its end (or on Ctrl-C). */
interface Running {
  work: string;
  services: Service[];
  gateway?: BenchGateway;
  client?: LoadClient;
  upstreamUrl?: string;
}

async function stopAll(running: Running): Promise<void> {
  await running.client?.close();
  await running.gateway?.stop();
  for (const s of running.services.reverse()) await s.stop();
  rmSync(running.work, { recursive: true, force: true });
}

/** Starts the fake upstream, the minimal proxy and the gateway; the paths that lead to them. */
async function startTargets(values: BenchArgs, running: Running): Promise<BenchPath[]> {
  const { work, services } = running;
  const upstream = await startFakeUpstream(work);
  services.push(upstream);
  running.upstreamUrl = upstream.url;
  const minimal = await startService({
    name: 'minimal proxy',
    nodeArgs: [
      ...(values.profile === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(values.profile, 'minimal')}`]),
      minimalProxyMain,
      upstream.url,
    ],
    logFile: join(work, 'minimal.out'),
    ready: /listening on (http:\S+)/,
  });
  services.push(minimal);
  const proxyNodeFlags =
    values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
  const gateway = await startBenchGateway({
    home: join(work, 'home'),
    upstreamUrl: upstream.url,
    proxyNodeFlags,
  });
  running.gateway = gateway;
  return [
    {
      key: 'direct',
      label: 'direct',
      origin: upstream.url,
      model: REMOTE_MODEL,
      pids: [upstream.pid],
    },
    {
      key: 'minimal',
      label: 'minimal proxy',
      origin: minimal.url,
      model: REMOTE_MODEL,
      pids: [minimal.pid],
    },
    {
      key: 'gateway',
      label: 'gateway (remote)',
      origin: gateway.proxy.url,
      model: REMOTE_MODEL,
      pids: [gateway.proxy.pid],
    },
    {
      key: 'gateway-local',
      label: 'gateway (local)',
      origin: gateway.proxy.url,
      model: LOCAL_MODEL,
      pids: [gateway.proxy.pid, gateway.supervisor.pid],
    },
    {
      key: 'gateway-anthropic',
      label: 'gateway (Anthropic in)',
      origin: gateway.proxy.url,
      model: REMOTE_MODEL,
      api: 'anthropic',
      pids: [gateway.proxy.pid],
    },
    {
      key: 'gateway-responses',
      label: 'gateway (Responses in)',
      origin: gateway.proxy.url,
      model: REMOTE_MODEL,
      api: 'responses',
      pids: [gateway.proxy.pid],
    },
  ];
}

/** One more proxy of the bench gateway (same home and supervisor), and the path to it. */
interface Sibling {
  key: PathKey;
  label: string;
  /** What it runs: its main script and arguments. */
  script: string[];
  /** The name of its output file in the work directory. */
  out: string;
}

/** Starts the proxies asked for by --paths, --quiet-gateway and --baseline; their paths. */
async function startExtraTargets(values: BenchArgs, running: Running): Promise<BenchPath[]> {
  const { work, services } = running;
  const home = join(work, 'home');
  const wanted = (key: string): boolean =>
    values.paths === undefined || values.paths.split(',').includes(key);
  const config = (file: string): string[] => [proxyMain, '--config', file];
  const siblings: Sibling[] = [];
  if (
    wanted('gateway-twin') ||
    wanted('gateway-noobs') ||
    wanted('gateway-noscrub') ||
    (values.baseline !== undefined && wanted('gateway-baseline'))
  ) {
    // A sibling of the `gateway` proxy with the same config, started like the others below:
    // the side of their A/B pairs with the feature on (or this build).
    siblings.push({
      key: 'gateway-twin',
      label: 'gateway (remote), second proxy',
      script: config(join(home, 'config.yaml')),
      out: 'twin.out',
    });
  }
  if (wanted('gateway-noobs')) {
    // The same gateway with the audit log and the metrics off (both on by default).
    siblings.push({
      key: 'gateway-noobs',
      label: 'gateway (remote), no audit/metrics',
      script: config(writeNoObservabilityConfig(home)),
      out: 'noobs.out',
    });
  }
  if (wanted('gateway-noscrub')) {
    // The same gateway holding no secret: its streams are relayed without the scrubber.
    siblings.push({
      key: 'gateway-noscrub',
      label: 'gateway (remote), no secret/scrubber',
      script: config(writeNoScrubConfig(home)),
      out: 'noscrub.out',
    });
  }
  if (values['quiet-gateway']) {
    siblings.push({
      key: 'gateway-quiet',
      label: 'gateway (remote), no log',
      script: [quietGatewayMain, join(home, 'config.yaml')],
      out: 'quiet.out',
    });
  }
  if (values.baseline !== undefined) {
    // Another build of the gateway proxy (a checkout of an earlier commit, built), on the
    // same supervisor and config: an A/B comparison measured in the same rounds.
    siblings.push({
      key: 'gateway-baseline',
      label: 'gateway (remote), baseline build',
      script: [join(values.baseline, 'packages/proxy/dist/main.js')],
      out: 'baseline.out',
    });
  }
  const paths: BenchPath[] = [];
  for (const sibling of siblings) {
    // The same V8 flags as the gateway proxy (see PROXY_NODE_FLAGS); with --profile, each
    // proxy's profile in DIR/<path key>.
    const flags =
      values.profile === undefined
        ? PROXY_NODE_FLAGS
        : [
            ...PROXY_NODE_FLAGS,
            '--cpu-prof',
            `--cpu-prof-dir=${join(values.profile, sibling.key)}`,
          ];
    const service = await startService({
      name: sibling.label,
      nodeArgs: [...flags, ...sibling.script],
      env: { MLX_GATEWAY_HOME: home, ...PROXY_ENV },
      logFile: join(work, sibling.out),
      ready: /listening on (http:\S+)/,
    });
    services.push(service);
    paths.push({
      key: sibling.key,
      label: sibling.label,
      origin: service.url,
      model: REMOTE_MODEL,
      pids: [service.pid],
    });
  }
  return paths;
}

/** Measures every scenario chosen by --only on every path chosen by --paths. */
async function measureAll(
  client: LoadClient,
  paths: BenchPath[],
  values: BenchArgs,
  rounds: number | undefined,
): Promise<Measurement[]> {
  const wanted = (list: string | undefined, key: string): boolean =>
    list === undefined || list.split(',').includes(key);
  const chosen = paths.filter((p) => wanted(values.paths, p.key));
  const measurements: Measurement[] = [];
  for (const scenario of benchPlan(values.quick, rounds, values.chunks).filter((s) =>
    wanted(values.only, s.key),
  )) {
    process.stderr.write(`${scenario.label}\n`);
    measurements.push(...(await measure(client, chosen, scenario)));
  }
  return measurements;
}

/** With --together, the A/B pairs among the chosen paths measured at the same time. */
async function measureAllTogether(
  paths: BenchPath[],
  values: BenchArgs,
  rounds: number | undefined,
): Promise<string> {
  if (!values.together) return '';
  const wanted = (list: string | undefined, key: string): boolean =>
    list === undefined || list.split(',').includes(key);
  const scenarios = benchPlan(values.quick, rounds, values.chunks).filter((s) =>
    wanted(values.only, s.key),
  );
  const chosen = paths.filter((p) => wanted(values.paths, p.key));
  return togetherTable(await measureTogether(chosen, scenarios));
}

/**
 * The cost targets of the audit log, the metrics and the stream scrubber: the same-process A/B
 * (same-process-ab.ts) on the scenarios chosen, after the rest (40 phases a scenario, about
 * 3.5 minutes for all four; none with --quick unless --ab-phases is given, none with
 * --ab-phases 0).
 */
async function measureSameProcessAb(
  values: BenchArgs,
  running: Running,
  client: LoadClient,
): Promise<AbResult[]> {
  const phases = Number(values['ab-phases'] ?? (values.quick ? 0 : 40));
  if (!(Number.isInteger(phases) && phases > 0)) return [];
  return runSameProcessAb({
    features: ['audit', 'scrub'],
    ...(values.only === undefined ? {} : { only: values.only.split(',') }),
    phases,
    phaseMs: 1000,
    chunks: values.chunks,
    work: running.work,
    upstreamUrl: running.upstreamUrl!,
    client,
    services: running.services,
  });
}

/** Prints the figures and the targets, and writes them to the --json file when given. */
function report(
  measurements: Measurement[],
  footprint: Footprint,
  values: BenchArgs,
  started: number,
  together: string,
  ab: AbResult[],
  pinned: PairBothOrders | undefined,
): void {
  const checks = [
    ...checkTargets(measurements),
    ...abChecks(ab),
    ...(pinned === undefined ? [] : [pinnedPairCheck(pinned)]),
    ...footprintChecks(footprint),
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      '',
      `mlx-gateway benchmark${values.quick ? ' (--quick)' : ''}${values.chunks ? ' (--chunks)' : ''}: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} x ${cpu}`,
      '',
      resultTable(measurements),
      '',
      comparisonTable(measurements),
      '',
      abTable(measurements),
      '',
      ...(together === '' ? [] : [together, '']),
      ...(ab.length === 0 ? [] : [...abTableLines(ab), '']),
      ...(pinned === undefined ? [] : [...pinnedPairLines(pinned), '']),
      ...footprintLines(footprint),
      '',
      'Targets:',
      ...checks.map((c) => `  ${c.met ? 'met   ' : 'MISSED'}  ${c.target}: ${c.measured}`),
      '',
      `${checks.filter((c) => c.met).length} of ${checks.length} targets met; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      '',
    ].join('\n'),
  );
  if (values.json !== undefined) {
    writeFileSync(
      values.json,
      JSON.stringify({ quick: values.quick, measurements, footprint, ab, pinned, checks }, null, 2),
    );
  }
}

async function main(): Promise<number> {
  const { values } = parseBenchArgs();
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
    process.stderr.write(`--rounds takes a positive whole number, not ${values.rounds}\n`);
    return 2;
  }
  const started = Date.now();
  const running: Running = { work: mkdtempSync(join(tmpdir(), 'mlxgw-bench-')), services: [] };
  process.once('SIGINT', () => {
    void stopAll(running).finally(() => process.exit(130));
  });
  try {
    const paths = await startTargets(values, running);
    // Before any other process of the run starts: what the gateway holds idle.
    const idle = await gatewayIdleMemory(running.gateway!);
    const client = new LoadClient();
    running.client = client;
    paths.push(...(await startExtraTargets(values, running)));
    const measurements = await measureAll(client, paths, values, rounds);
    const together = await measureAllTogether(paths, values, rounds);
    const footprint = await measureFootprint(running.gateway!, join(running.work, 'home'), idle);
    const ab = await measureSameProcessAb(values, running, client);
    // Last: it pins this process off the CPU of its two gateways. 40 rounds of 2 s in 20 pairs
    // of processes, both slot orders, about 4 minutes; none with --quick unless --pinned-rounds
    // is given, none with --pinned-rounds 0.
    const pinned = await measurePinnedPair(
      Number(values['pinned-rounds'] ?? (values.quick ? 0 : DEFAULT_ROUNDS)),
      join(running.work, 'pinned'),
      running.services,
      Number(values['pinned-pairs'] ?? DEFAULT_PAIRS),
    );
    report(measurements, footprint, values, started, together, ab, pinned);
    return 0;
  } finally {
    await stopAll(running);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
