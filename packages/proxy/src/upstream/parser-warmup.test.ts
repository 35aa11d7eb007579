import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const built = fileURLToPath(new URL('../../dist/upstream/parser-warmup.js', import.meta.url));

/**
 * In a fresh process (the flag and the compiled parser are a process's): what V8 allocated
 * for compiling by the time the proxy would start, and that a request then works.
 */
async function startUp(warm: boolean): Promise<{ peakMallocedMb: number; status: number }> {
  const script = `
    const { createServer } = await import('node:http');
    const { getHeapStatistics } = await import('node:v8');
    const { Pool } = await import('@mlx-gateway/shared/undici');
    const { compileUpstreamParser } = await import(${JSON.stringify(built)});
    if (${warm}) await compileUpstreamParser();
    const peak = getHeapStatistics().peak_malloced_memory;
    const server = createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const pool = new Pool('http://127.0.0.1:' + server.address().port);
    const res = await pool.request({ path: '/', method: 'GET' });
    await res.body.text();
    await pool.close();
    server.close();
    console.log(JSON.stringify({ peakMallocedMb: peak / 1048576, status: res.statusCode }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  return JSON.parse(stdout) as { peakMallocedMb: number; status: number };
}

describe('compileUpstreamParser', () => {
  it("compiles undici's parser with the optimising compiler before the first request", async () => {
    const warm = await startUp(true);
    const cold = await startUp(false);
    // Optimising all of llhttp takes tens of megabytes of compiler memory: spent at start-up
    // when warmed, not yet when not (the baseline compiler takes a few).
    expect(warm.peakMallocedMb).toBeGreaterThan(16);
    expect(cold.peakMallocedMb).toBeLessThan(8);
    expect([warm.status, cold.status]).toEqual([200, 200]);
  });
});
