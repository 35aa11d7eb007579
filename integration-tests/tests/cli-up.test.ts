import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { cliMain, isAlive, standinModel, startNode } from '../support/processes.js';
import { postJson } from '../support/http.js';

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

describe('mlx-gateway up', () => {
  it('starts the supervisor and the proxy, serves, and stops both cleanly on Ctrl-C', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny', { MLX_STANDIN_GRANDCHILD: 1 }));
    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(up.pid);
    const line = await up.waitForLine(/listening on (http:\S+)/);
    const url = /listening on (http:\S+)/.exec(line)![1]!;
    const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
    gw.cleanup.group(supervisorPid);

    const res = await postJson(`${url}/v1/chat/completions`, {
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    const [child] = gw.children();
    expect(child).toBeDefined();

    const status = execFileSync(process.execPath, [cliMain, 'status', '--json'], {
      env: { ...process.env, MLX_GATEWAY_HOME: gw.home },
      encoding: 'utf8',
    });
    expect(JSON.parse(status).models[0]).toMatchObject({
      name: 'tiny',
      state: 'ready',
      pid: child!.pid,
    });

    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
    expect(up.lines).toContain('stopped.');
    expect(isAlive(supervisorPid)).toBe(false);
    expect(isAlive(child!.pid)).toBe(false);
  });

  it('leaves a supervisor it did not start running', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const sup = await gw.startSupervisor();
    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(up.pid);
    expect(await up.waitForLine(/supervisor: pid/)).toContain('(already running)');
    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
    expect(isAlive(sup.pid)).toBe(true);
  });

  it('status without a supervisor says how to start one', () => {
    gw = new TestGateway();
    let message = '';
    try {
      execFileSync(process.execPath, [cliMain, 'status'], {
        env: { ...process.env, MLX_GATEWAY_HOME: gw.home },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      message = String((err as { stderr: string }).stderr);
    }
    expect(message).toContain('no supervisor answers');
    expect(message).toContain('mlx-gateway up');
  });
});
