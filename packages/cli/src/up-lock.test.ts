import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireUpLock } from './up-lock.js';

const dirs: string[] = [];
function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlxgw-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('acquireUpLock', () => {
  it('records this process and its URL, and removes the file on release', () => {
    const dir = runDir();
    const lock = acquireUpLock(dir);
    lock.describe('http://127.0.0.1:8080');
    expect(JSON.parse(readFileSync(join(dir, 'up.pid'), 'utf8'))).toEqual({
      pid: process.pid,
      url: 'http://127.0.0.1:8080',
    });
    lock.release();
    expect(() => readFileSync(join(dir, 'up.pid'))).toThrow();
  });

  it('refuses while the recorded process runs', () => {
    const dir = runDir();
    writeFileSync(join(dir, 'up.pid'), JSON.stringify({ pid: process.ppid, url: 'http://x:1' }));
    expect(() => acquireUpLock(dir)).toThrow(
      `mlx-gateway up is already running (pid ${process.ppid}, listening on http://x:1)`,
    );
  });

  it('takes over a file left by a process that is gone', () => {
    const dir = runDir();
    // Pids are below 2^22 on Linux and 99999 on macOS: this one cannot run.
    writeFileSync(join(dir, 'up.pid'), JSON.stringify({ pid: 2 ** 30 }));
    const lock = acquireUpLock(dir);
    expect(JSON.parse(readFileSync(join(dir, 'up.pid'), 'utf8'))).toEqual({ pid: process.pid });
    lock.release();
  });
});
