import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { explainSpawnFailure } from './spawn-failure.js';
import { spawnModel } from './spawn-model.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logFile(): { path: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'spawn-model-'));
  dirs.push(dir);
  const path = join(dir, 'model.log');
  return { path, fd: openSync(path, 'a') };
}

describe('spawnModel', () => {
  it('runs the command as a group leader with its env, output into the log file', async () => {
    const log = logFile();
    const script =
      'process.stdout.write(`out ${process.env.MODEL_VAR}\\n`); process.stderr.write("err\\n"); process.exit(3)';
    const child = await spawnModel({
      argv: [process.execPath, '-e', script],
      env: { MODEL_VAR: 'set' },
      logFd: log.fd,
    });
    closeSync(log.fd);
    expect(child.pid).toBeGreaterThan(0);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    const text = readFileSync(log.path, 'utf8');
    expect(text).toContain('out set');
    expect(text).toContain('err');
  });

  it('reports the signal that ended the child, sent to its own process group', async () => {
    const log = logFile();
    const child = await spawnModel({
      argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
      env: {},
      logFd: log.fd,
    });
    closeSync(log.fd);
    process.kill(-child.pid, 'SIGTERM');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it("rejects with Node's spawn error when the command is missing", async () => {
    const log = logFile();
    const err = await spawnModel({
      argv: ['no-such-model-server-xyz'],
      env: {},
      logFd: log.fd,
    }).catch((e: unknown) => e as NodeJS.ErrnoException & { path?: string });
    closeSync(log.fd);
    expect(err).toMatchObject({ code: 'ENOENT', path: 'no-such-model-server-xyz' });
    expect(explainSpawnFailure(err as never, 'm', '/usr/bin')).toContain(
      'not found on PATH (searched /usr/bin)',
    );
  });

  it('refuses an empty command', async () => {
    await expect(spawnModel({ argv: [], env: {}, logFd: 1 })).rejects.toThrow('empty command');
  });
});
