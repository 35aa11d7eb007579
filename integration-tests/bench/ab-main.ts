// Same-process A/B of a feature's cost: `node integration-tests/dist/bench/ab-main.js
// [--feature audit,scrub] [--only json-c32,sse-c1,sse-c32] [--phases 40] [--phase-ms 1000]
// [--chunks]`. How it measures: same-process-ab.ts. `main.js` runs the same A/B for its targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeUpstream } from './bench-gateway.js';
import { LoadClient } from './load-client-process.js';
import { abChecks, abTableLines, runSameProcessAb } from './same-process-ab.js';
import type { Feature } from './same-process-ab.js';
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

const work = mkdtempSync(join(tmpdir(), 'mlxgw-ab-'));
const services: Service[] = [];
const client = new LoadClient();
try {
  const upstream = await startFakeUpstream(work);
  services.push(upstream);
  const results = await runSameProcessAb({
    features: values.feature.split(',') as Feature[],
    ...(values.only === undefined ? {} : { only: values.only.split(',') }),
    phases: Number(values.phases),
    phaseMs: Number(values['phase-ms']),
    chunks: values.chunks,
    work,
    upstreamUrl: upstream.url,
    client,
    services,
  });
  const checks = abChecks(results);
  process.stdout.write(
    [
      ...abTableLines(results),
      '',
      'Targets:',
      ...checks.map((c) => `  ${c.met ? 'met   ' : 'MISSED'}  ${c.target}: ${c.measured}`),
      '',
    ].join('\n'),
  );
} finally {
  await client.close();
  for (const s of services.reverse()) await s.stop();
  rmSync(work, { recursive: true, force: true });
}
