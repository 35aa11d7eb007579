import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain, freePort, standinModel, startNode } from '../support/processes.js';

let gw: TestGateway;
const dirs: string[] = [];
afterEach(async () => {
  await gw.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlxgw-demo-'));
  dirs.push(dir);
  return dir;
}

describe('the demo seen from another terminal', () => {
  it('status, --demo status, logs and down find the running demo; up says how', async () => {
    gw = new TestGateway();
    // An empty user home (no ~/.mlx-gateway) and a private temporary directory for the pointer.
    const user = { HOME: tempDir(), TMPDIR: tempDir() };
    const port = await freePort();
    // MLX_GATEWAY_HOME only moves the demo's home out of the checkout for the test.
    const up = startNode(cliMain, ['up', '--demo', '--port', String(port)], {
      ...user,
      MLX_GATEWAY_HOME: gw.home,
    });
    gw.cleanup.group(up.pid);
    const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
    gw.cleanup.group(supervisorPid);
    await up.waitForLine(/Press Ctrl-C/);
    expect(up.lines).toContain(
      `  from another terminal: mlx-gateway --demo status   (or: export MLX_GATEWAY_HOME=${gw.home})`,
    );

    // Another terminal: no MLX_GATEWAY_HOME, no --config.
    const elsewhere = { ...user, MLX_GATEWAY_HOME: '' };
    const status = await runCli(gw.home, ['status'], { env: elsewhere });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toBe(
      `(no ~/.mlx-gateway/config.yaml: using the running demo's home ${gw.home})\n`,
    );
    expect(status.stdout).toMatch(/\ndemo +stopped /);
    const explicit = await runCli(gw.home, ['--demo', 'status', '--json'], { env: elsewhere });
    expect(explicit.stderr).toBe('');
    expect(JSON.parse(explicit.stdout).models[0]).toMatchObject({ name: 'demo' });
    expect((await runCli(gw.home, ['logs', 'demo'], { env: elsewhere })).code).toBe(0);

    const down = await runCli(gw.home, ['down'], { env: elsewhere });
    expect(down.stdout).toContain(`stopping the supervisor (pid ${supervisorPid})`);
    expect(await up.exited).toBe(0);

    const gone = await runCli(gw.home, ['--demo', 'status'], { env: elsewhere });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no demo is running');
  });
});

describe("up's try: hint", () => {
  it('shows the client-key header when client keys are required, and the hint works', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const key = (await runCli(gw.home, ['keys', 'create-client', 'laptop'])).stdout.trim();
    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(up.pid);
    const url = /listening on (http:\S+)/.exec(await up.waitForLine(/listening on http:/))![1]!;
    gw.cleanup.group(Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]));
    await up.waitForLine(/Press Ctrl-C/);
    expect(up.lines).toContain(`         -H "authorization: Bearer $MLX_GATEWAY_KEY" \\`);
    const body = { model: 'tiny', messages: [{ role: 'user', content: 'hello there' }] };
    expect((await postJson(`${url}/v1/chat/completions`, body)).status).toBe(401);
    const res = await postJson(`${url}/v1/chat/completions`, body, {
      authorization: `Bearer ${key}`,
    });
    expect(res.status).toBe(200);
    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
  });
});
