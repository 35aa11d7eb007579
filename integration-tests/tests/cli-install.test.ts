import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  Cleanup,
  freePort,
  isAlive,
  repoRoot,
  startNode,
  tempHome,
  type RunningProcess,
} from '../support/processes.js';

const run = promisify(execFile);
const cleanup = new Cleanup();
let bin: string;
let version: string;

// Packs the CLI as users get it and installs it into a temporary prefix, as `npm install -g`
// does; dependencies come from the npm registry (or npm's cache).
beforeAll(async () => {
  version = (
    JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const work = mkdtempSync(join(tmpdir(), 'mlxgw-install-'));
  cleanup.dir(work);
  const { stdout } = await run(
    process.execPath,
    [join(repoRoot, 'packages/cli/scripts/pack.mjs'), '--out', join(work, 'out')],
    { cwd: work },
  );
  const tarball = stdout.trim();
  expect(tarball).toBe(join(work, 'out', `mlx-gateway-${version}.tgz`));
  const prefix = join(work, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
    cwd: work,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  bin = join(prefix, 'bin', 'mlx-gateway');
}, 240_000);

afterAll(async () => {
  await cleanup.run();
});

describe('mlx-gateway installed from a packed tarball', () => {
  it('runs --version, init, config check, up and down from the install prefix', async () => {
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const home = tempHome();
    cleanup.dir(home);
    const outside = { cwd: tmpdir(), bin };

    expect(await runCli(home, ['--version'], outside)).toEqual({
      code: 0,
      stdout: `${version}\n`,
      stderr: '',
    });
    const init = await runCli(home, ['init'], outside);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`wrote ${join(home, 'config.yaml')}\n`);
    const check = await runCli(home, ['config', 'check'], outside);
    expect(check.stdout).toContain(`config OK: ${join(home, 'config.yaml')}\n`);

    const port = await freePort();
    const up: RunningProcess = startNode(bin, ['up', '--port', String(port)], {
      MLX_GATEWAY_HOME: home,
    });
    cleanup.group(up.pid);
    await up.waitForLine(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`), 60_000);
    const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
    cleanup.group(supervisorPid);
    const models = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(models.status).toBe(200);

    const down = await runCli(home, ['down'], outside);
    expect(down.stdout).toContain('supervisor stopped; no models were running\n');
    expect(await up.exited).toBe(0);
    expect(isAlive(supervisorPid)).toBe(false);
  }, 120_000);
});
