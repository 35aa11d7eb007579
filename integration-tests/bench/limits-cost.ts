// What client-key limits cost in throughput: `node integration-tests/dist/bench/limits-cost.js
// [--seconds N] [--rounds N] [--concurrency N] [--profile DIR]`. See docs/benchmarks.md.
//
// One proxy process per state store (the embedded one, and a local `redis-server` when it is
// on PATH), each with two client keys: one without limits, one with generous limits (every
// kind: rpm, tpm, concurrency, a daily budget) that no request reaches. The load client sends
// the same non-streamed chat request to a fake upstream through the proxy, alternating the two
// keys round by round (off first in even rounds, on first in odd ones), so both are measured in
// the same run on the same process, with the same client-key check (both keys are verified
// the same way; only one has limits), and the difference is what the limit checks cost (four counters counted, and corrected when the answer
// ends: in process memory on the embedded store; on Redis one script call per check, carrying
// the corrections due, and checks that arrive together sharing one call).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClientKey } from '@mlx-gateway/shared/clients';
import { writeConfig } from '../support/processes.js';
import { PROXY_NODE_FLAGS } from './bench-gateway.js';
import { fakeUpstreamMain, proxyMain } from './bench-paths.js';
import { LoadClient } from './load-client-process.js';
import { cpuTimeMs, startService } from './service.js';
import type { Service } from './service.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    /** A V8 CPU profile of each proxy (both keys' rounds) in DIR/<store>. */
    profile: { type: 'string' },
  },
});
const DURATION_MS = Number(values.seconds) * 1000;
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const GENEROUS = {
  rpm: 1_000_000_000,
  tpm: 1_000_000_000_000,
  concurrency: 100_000,
  budget: { tokens: 1_000_000_000_000_000, per: 'day' as const },
};
const BODY = JSON.stringify({
  model: 'bench',
  messages: [{ role: 'user', content: 'hello there' }],
  max_tokens: 64,
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function startRedis(): Promise<{ url: string; stop(): void } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error('redis-server exited')));
  });
  // Never left behind, even when this process ends on an error (a closed stdout, say).
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** A proxy on its own home, with the two keys. */
async function startProxyFor(
  upstreamUrl: string,
  name: string,
  state: string,
): Promise<{ proxy: Service; home: string; off: string; on: string }> {
  const home = mkdtempSync(join(tmpdir(), 'mlxgw-limits-bench-'));
  writeConfig(
    home,
    `listen: 127.0.0.1:0
models:
  bench: { backend: openai-compatible, url: ${upstreamUrl}/v1, allowPrivateNetwork: true }
${state}`,
  );
  const off = (await createClientKey(home, 'off')).key;
  const on = (await createClientKey(home, 'on', { limits: GENEROUS })).key;
  const proxy = await startService({
    name: 'gateway proxy',
    // The gateway proxy's own V8 flags: a smaller young generation makes allocation cost more,
    // and what limits allocate is part of what they cost.
    nodeArgs: [
      ...PROXY_NODE_FLAGS,
      ...(values.profile === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(values.profile, name)}`]),
      proxyMain,
    ],
    env: { MLX_GATEWAY_HOME: home, MLX_GATEWAY_LOG_LEVEL: 'warn' },
    logFile: join(home, 'proxy.out'),
    ready: /proxy listening on (http:\S+)/,
  });
  return { proxy, home, off, on };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Round {
  rps: number;
  /** The proxy process's CPU time per request, µs: steadier than throughput on a busy machine. */
  cpuUs: number;
}

async function measure(client: LoadClient, proxy: Service, key: string): Promise<Round> {
  const cpuBefore = cpuTimeMs(proxy.pid) ?? 0;
  const result = await client.run({
    origin: proxy.url,
    path: '/v1/chat/completions',
    body: BODY,
    stream: false,
    expectEvents: 0,
    concurrency: CONCURRENCY,
    durationMs: DURATION_MS,
    headers: { authorization: `Bearer ${key}` },
  });
  if (result.errors > 0) throw new Error(`${result.errors} errors, first: ${result.firstError}`);
  const cpuMs = (cpuTimeMs(proxy.pid) ?? 0) - cpuBefore;
  return { rps: result.requestsPerSecond, cpuUs: (cpuMs * 1000) / result.requests };
}

function line(name: string, off: Round[], on: Round[]): string {
  const rpsOff = median(off.map((r) => r.rps));
  const rpsOn = median(on.map((r) => r.rps));
  const cpuOff = median(off.map((r) => r.cpuUs));
  const cpuOn = median(on.map((r) => r.cpuUs));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    `${name.padEnd(8)} throughput off ${rpsOff.toFixed(0)} req/s, on ${rpsOn.toFixed(0)} req/s ` +
    `(${pct(1 - rpsOn / rpsOff)} less); proxy CPU off ${cpuOff.toFixed(0)} µs/req, on ` +
    `${cpuOn.toFixed(0)} µs/req (throughput cost at full CPU: ${pct(1 - cpuOff / cpuOn)})\n` +
    `         rounds req/s off ${off.map((r) => r.rps.toFixed(0)).join('/')}, on ${on.map((r) => r.rps.toFixed(0)).join('/')}\n`
  );
}

async function main(): Promise<void> {
  const upstream = await startService({
    name: 'fake upstream',
    nodeArgs: [fakeUpstreamMain],
    logFile: join(tmpdir(), `limits-bench-upstream-${process.pid}.out`),
    ready: /fake upstream listening on (http:\S+)/,
  });
  const redis = await startRedis();
  const client = new LoadClient();
  const stores: [string, string][] = [['embedded', '']];
  if (redis !== undefined) stores.push(['redis', `state:\n  redis: { url: "${redis.url}" }\n`]);
  else process.stdout.write('redis-server not on PATH: the Redis store is not measured\n');
  try {
    for (const [name, state] of stores) {
      const p = await startProxyFor(upstream.url, name, state);
      try {
        await measure(client, p.proxy, p.on); // warm-up (and the store opened)
        await measure(client, p.proxy, p.off);
        const off: Round[] = [];
        const on: Round[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternated, so that neither key always runs right after the other.
          if (round % 2 === 0) {
            off.push(await measure(client, p.proxy, p.off));
            on.push(await measure(client, p.proxy, p.on));
          } else {
            on.push(await measure(client, p.proxy, p.on));
            off.push(await measure(client, p.proxy, p.off));
          }
        }
        process.stdout.write(line(name, off, on));
      } finally {
        await p.proxy.stop();
        rmSync(p.home, { recursive: true, force: true });
      }
    }
  } finally {
    await client.close();
    redis?.stop();
    await upstream.stop();
  }
}

await main();
