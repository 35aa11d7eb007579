// The hot-path cost of the audit log and the metrics, per request, in ns/op:
// `node integration-tests/dist/bench/audit-cost.js [--requests N]`. See docs/observability.md.
//
// Measures the CPU time, on this machine, of each part a request pays for once the observability is wired:
// building its audit record (the incremental calls and end()), the usage scan of a streamed
// chunk (paid per chunk), queueing and writing the record (JSON and the disk, amortised over
// the writer's batches), and updating the metrics from the record. It prints the sum against
// the gateway's CPU time per request measured by `pnpm bench` (docs/benchmarks.md), the budget
// being 5% of throughput.
//
// Then the whole request end as the proxy pays it, garbage collection included: requests that
// each leave ~8 KB of short-lived garbage (as parsing and relaying do), with and without their
// audit record built, written and counted; the difference per request is the audit's cost,
// including what records kept in memory until the next write cost the young generation. Run it
// with the proxy's flag (`node --max-semi-space-size=2 …`). `--proxy DIR` measures the build of
// @mlx-gateway/proxy in another checkout (DIR/packages/proxy/dist) instead, for a before/after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { AuditRecord } from '@mlx-gateway/proxy';
import type * as ProxyModule from '@mlx-gateway/proxy';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '200000' },
    'cpu-us-per-request': { type: 'string', default: '124' },
    proxy: { type: 'string' },
  },
});
const proxy = (await import(
  values.proxy === undefined
    ? '@mlx-gateway/proxy'
    : pathToFileURL(join(values.proxy, 'packages/proxy/dist/index.js')).href
)) as typeof ProxyModule;
const {
  AuditRecordBuilder,
  AuditWriter,
  GatewayMetrics,
  filterUsageChunk,
  hasFirstToken,
  usageFromSseEvents,
  requestEndHandler,
} = proxy;
const N = Number(values.requests);
/** The gateway's CPU µs per json-c32 request (remote path), docs/benchmarks.md. */
const GATEWAY_CPU_US = Number(values['cpu-us-per-request']);

/**
 * CPU time of this process (user + system), in ns: on a shared machine wall time also counts
 * the time the process waited for a core, which is not a cost of the code.
 */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

function timeNs(iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(i); // warm-up
  const start = cpuNs();
  for (let i = 0; i < iterations; i++) fn(i);
  return (cpuNs() - start) / iterations;
}

function buildRecord(i: number, id = `req-${i}`): AuditRecord {
  const b = new AuditRecordBuilder(id, 'openai.chat', i, 1_764_000_000_000 + i);
  b.setClient('ci');
  b.setModel('qwen', true);
  b.addBytesIn(420);
  b.attemptBegan('qwen-7b', 'local', i + 0.1);
  b.firstByte(i + 2);
  b.firstToken(i + 2.5);
  b.usage({ input: 120, output: 80, cacheRead: 0, cacheWrite: 0 });
  b.addBytesOut(5200);
  b.setStatus(200);
  b.attemptEnded('ok', undefined, i + 9);
  return b.end(i + 10);
}

const contentChunk = Buffer.from(
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000000,"model":"qwen-7b","choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}\n\n',
);
const usageChunk = Buffer.from(
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000000,"model":"qwen-7b","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":80,"total_tokens":200}}\n\n',
);

async function main(): Promise<void> {
  const results: Array<[string, number]> = [];
  let sink: unknown;
  results.push(['build the record (11 calls + end)', timeNs(N, (i) => (sink = buildRecord(i)))]);
  results.push([
    'usage scan, chunk without usage',
    timeNs(N, () => (sink = usageFromSseEvents('openai', contentChunk))),
  ]);
  results.push([
    'usage-chunk filter, chunk without usage',
    timeNs(N, () => (sink = filterUsageChunk(contentChunk, true))),
  ]);
  results.push([
    'usage-chunk filter, the usage chunk (once per stream)',
    timeNs(N / 10, () => (sink = filterUsageChunk(usageChunk, true))),
  ]);
  results.push([
    'first-token check (until the first token)',
    timeNs(N / 10, () => (sink = hasFirstToken('openai', contentChunk))),
  ]);

  const metrics = new GatewayMetrics({ processMetrics: false });
  const records = Array.from({ length: 1000 }, (_, i) => buildRecord(i));
  results.push([
    'metrics.recordRequest',
    timeNs(N, (i) => metrics.recordRequest(records[i % 1000]!)),
  ]);

  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  try {
    const writer = new AuditWriter({ dir, maxFileSizeBytes: 64 * 1024 * 1024, retainDays: 1 });
    const start = cpuNs();
    for (let i = 0; i < N; i++) {
      writer.write(records[i % 1000]!);
      // Let the writer's batches go out as they would between requests.
      if (i % 1024 === 1023) await writer.idle();
    }
    await writer.close();
    // This process's CPU includes the writer's file writes on libuv's threads.
    results.push(['writer.write + JSON + disk (amortised)', (cpuNs() - start) / N]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  void sink;

  const perRequest = [
    'build the record (11 calls + end)',
    'metrics.recordRequest',
    'writer.write + JSON + disk (amortised)',
  ];
  const total = results
    .filter(([name]) => perRequest.includes(name))
    .reduce((sum, [, ns]) => sum + ns, 0);
  results.push(...(await underAllocation()));
  const width = Math.max(...results.map(([name]) => name.length));
  for (const [name, ns] of results)
    process.stdout.write(`${name.padEnd(width)}  ${ns.toFixed(0).padStart(7)} ns/op\n`);
  process.stdout.write(
    `${'per request (build + write + metrics)'.padEnd(width)}  ${total.toFixed(0).padStart(7)} ns\n`,
  );
  process.stdout.write(
    `share of the gateway's ${GATEWAY_CPU_US} µs of CPU per request: ${((total / 1000 / GATEWAY_CPU_US) * 100).toFixed(2)}% (budget 5%)\n`,
  );
}

/** ~8 KB of short-lived objects and strings, as a request's parsing and relaying leave. */
function garbage(i: number): unknown {
  const parts: unknown[] = [];
  for (let k = 0; k < 40; k++) parts.push({ k, i, text: `chunk ${i}-${k}`, list: [k, i] });
  return parts;
}

/**
 * CPU per request of `requests` requests, each leaving garbage and, with `audit`, ending with
 * its record built and handed to the request-end handler (the writer and the metrics).
 */
async function requestsCost(requests: number, audit: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const writer = new AuditWriter({ dir, maxFileSizeBytes: 256 * 1024 * 1024, retainDays: 1 });
  const metrics = new GatewayMetrics({ processMetrics: false });
  const handle = requestEndHandler({ writer, metrics });
  let sink: unknown;
  const run = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      sink = garbage(i);
      // A fresh request id per request, as the proxy's UUIDs are.
      if (audit) handle(buildRecord(i, `req-${i}-${Math.random()}`));
      // Let the writer's batches and timer run between requests, as they do in the proxy.
      if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    await run(Math.min(requests, 20_000));
    const start = cpuNs();
    await run(requests);
    await writer.idle();
    return (cpuNs() - start) / requests;
  } finally {
    void sink;
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The audit's cost per request under allocation: requests with it minus requests without. */
async function underAllocation(): Promise<Array<[string, number]>> {
  const rounds: number[] = [];
  let without = 0;
  let withAudit = 0;
  for (let r = 0; r < 5; r++) {
    const a = await requestsCost(N, false);
    const b = await requestsCost(N, true);
    rounds.push(b - a);
    without += a / 5;
    withAudit += b / 5;
  }
  rounds.sort((x, y) => x - y);
  return [
    ['requests with 8 KB of garbage, no audit', without],
    ['the same with the audit record (mean)', withAudit],
    ['audit cost per request under allocation (median of 5)', rounds[2] as number],
  ];
}

await main();
