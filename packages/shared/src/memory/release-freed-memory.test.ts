import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const built = fileURLToPath(new URL('../../dist/memory/index.js', import.meta.url));

/**
 * A fresh process goes through a load that leaves glibc's heap fragmented (large buffers freed
 * around small ones that stay, as socket reads and connections leave it), then goes quiet.
 * Reports the heap's resident size once the load is over and once trimmed (or after `waitMs`:
 * the quiet process is trimmed about 10 s after its load).
 */
async function loadThenIdle(
  release: boolean,
  waitMs: number,
): Promise<{ loadedMb: number; idleMb: number; trims: number }> {
  const script = `
    const { readFileSync } = await import('node:fs');
    const { releaseFreedMemoryWhenIdle } = await import(${JSON.stringify(built)});
    const heapMb = () => {
      const smaps = readFileSync('/proc/self/smaps', 'utf8');
      const at = smaps.indexOf('[heap]');
      if (at === -1) return 0;
      return Number(/Rss:\\s+(\\d+) kB/.exec(smaps.slice(at))[1]) / 1024;
    };
    const trimmer = ${release} ? releaseFreedMemoryWhenIdle() : undefined;
    const kept = [];
    const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
    const start = cpu();
    let peak = 0;
    while (cpu() - start < 1_500_000) {
      let burst = [];
      for (let i = 0; i < 4000; i++) {
        burst.push(Buffer.alloc(9000));
        if (i % 40 === 0) kept.push(Buffer.alloc(300));
      }
      peak = Math.max(peak, heapMb());
      burst = undefined;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const loadedMb = heapMb();
    const deadline = Date.now() + ${waitMs};
    await new Promise((resolve) => {
      const look = setInterval(() => {
        if ((trimmer?.trims ?? 0) > 0 || Date.now() > deadline) { clearInterval(look); resolve(); }
      }, 100);
    });
    console.log(JSON.stringify({ loadedMb, idleMb: heapMb(), trims: trimmer?.trims ?? 0, kept: kept.length }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  return JSON.parse(stdout) as { loadedMb: number; idleMb: number; trims: number };
}

describe.runIf(process.platform === 'linux')('releaseFreedMemoryWhenIdle', () => {
  it('gives the heap a load left behind back to the system once the process is quiet', async () => {
    const [released, kept] = await Promise.all([
      loadThenIdle(true, 25_000),
      loadThenIdle(false, 12_000),
    ]);
    expect(released.trims).toBeGreaterThan(0);
    expect(released.loadedMb).toBeGreaterThan(40);
    expect(released.idleMb).toBeLessThan(released.loadedMb / 2);
    // Without it, glibc keeps what the load left, however long the process stays idle.
    expect(kept.trims).toBe(0);
    expect(kept.idleMb).toBeGreaterThan(kept.loadedMb * 0.9);
  }, 60_000);
});
