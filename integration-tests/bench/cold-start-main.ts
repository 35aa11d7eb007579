// The benchmark's cold-start part alone: `node integration-tests/dist/bench/cold-start-main.js
// [--runs N]`. Each run starts a fresh gateway (fake upstream, supervisor, proxy, as `pnpm bench`
// does), times the cold start of a stand-in model with one request and with 100 waiting, then
// the same 100 sent straight to a fresh stand-in; the figures are those of `pnpm bench`'s
// footprint part (bench/cold-start.ts, bench/direct-cold-start.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COLD_LOAD_MS, COLD_MODELS, startBenchGateway } from './bench-gateway.js';
import { fakeUpstreamMain } from './bench-paths.js';
import { formatColdStart, measureColdStart } from './cold-start.js';
import type { ColdStart } from './cold-start.js';
import { measureDirectColdStart } from './direct-cold-start.js';
import { startService } from './service.js';

async function oneRun(): Promise<ColdStart[]> {
  const work = mkdtempSync(join(tmpdir(), 'mlxgw-cold-'));
  const upstream = await startService({
    name: 'fake upstream',
    nodeArgs: [fakeUpstreamMain],
    logFile: join(work, 'upstream.out'),
    ready: /listening on (http:\S+)/,
  });
  try {
    const home = join(work, 'home');
    const gateway = await startBenchGateway({ home, upstreamUrl: upstream.url });
    try {
      return [
        await measureColdStart(gateway.proxy.url, home, COLD_MODELS.one, 1),
        await measureColdStart(gateway.proxy.url, home, COLD_MODELS.hundred, 100),
        await measureDirectColdStart(100, COLD_LOAD_MS),
      ];
    } finally {
      await gateway.stop();
    }
  } finally {
    await upstream.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { runs: { type: 'string', default: '1' } },
  });
  const runs = Number(values.runs);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs takes a positive number`);
  for (let run = 1; run <= runs; run++) {
    const [one, hundred, direct] = await oneRun();
    process.stdout.write(
      `run ${run}:\n  gateway, ${formatColdStart(one!)}\n  gateway, ${formatColdStart(hundred!)}\n  direct, ${formatColdStart(direct!)}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`cold-start benchmark failed: ${String(err)}\n`);
    process.exit(1);
  },
);
