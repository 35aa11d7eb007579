// What a turn of a local model with `maxConcurrent` adds to a request when one is free:
// `node integration-tests/dist/bench/turn-latency.js [--count N]`. See docs/benchmarks.md.
//
// A supervisor on its own home with one local model limited to one request at a time (never
// started: a turn needs no running model). The control client sends, one after the other,
// `turn.acquire` (timed: the round trip a request waits for before it goes upstream) and
// `turn.release` (not timed: the proxy does not wait for it), and `ping` alone for comparison
// (the control socket's own round trip).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SupervisorClient } from '@mlx-gateway/protocol';
import { portRanges, writeConfig } from '../support/processes.js';
import { standinMain, supervisorMain } from './bench-paths.js';
import { startService } from './service.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '3000' } } });
const COUNT = Number(values.count);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function report(name: string, samplesNs: number[]): string {
  const us = samplesNs.map((ns) => ns / 1000).sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(0);
  return `${name.padEnd(14)} median ${f(percentile(us, 50))} µs, p90 ${f(percentile(us, 90))} µs, p99 ${f(percentile(us, 99))} µs (${us.length} samples)\n`;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'mlxgw-turn-bench-'));
  writeConfig(
    home,
    `supervisor:
  ports: ${await portRanges()}
models:
  solo:
    backend: mlx-openai-server
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(standinMain)}]
    modelPath: test/solo
    maxConcurrent: 1
`,
  );
  const supervisor = await startService({
    name: 'supervisor',
    nodeArgs: [supervisorMain],
    env: { MLX_GATEWAY_HOME: home, MLX_GATEWAY_LOG_LEVEL: 'warn' },
    logFile: join(home, 'supervisor.out'),
    ready: /supervisor ready \(pid (\d+)\)/,
  });
  const client = new SupervisorClient({
    endpoint: `ipc://${join(home, 'run', 'control.sock')}`,
    timeoutMs: 5_000,
  });
  try {
    const turns: number[] = [];
    const pings: number[] = [];
    for (let i = 0; i < COUNT + 200; i++) {
      const id = `bench:turn:${i}`;
      const t0 = process.hrtime.bigint();
      await client.request({ cmd: 'turn.acquire', model: 'solo', id, holder: 'bench' });
      const t1 = process.hrtime.bigint();
      await client.request({ cmd: 'turn.release', id });
      const t2 = process.hrtime.bigint();
      await client.request({ cmd: 'ping' });
      const t3 = process.hrtime.bigint();
      if (i < 200) continue; // warm-up
      turns.push(Number(t1 - t0));
      pings.push(Number(t3 - t2));
    }
    process.stdout.write(report('turn.acquire', turns) + report('ping', pings));
  } finally {
    client.close();
    await supervisor.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
