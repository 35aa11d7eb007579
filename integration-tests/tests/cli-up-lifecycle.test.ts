import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import {
  cliMain,
  freePort,
  isAlive,
  standinModel,
  startNode,
  startSupervisor,
  type RunningProcess,
} from '../support/processes.js';

let gw: TestGateway;
let held: Server | undefined;
afterEach(async () => {
  held?.close();
  held = undefined;
  await gw.stop();
});

/** Starts `mlx-gateway up` for the test home and returns it with its URL and supervisor pid. */
async function startUp(
  args: string[] = [],
): Promise<{ up: RunningProcess; url: string; supervisorPid: number }> {
  const up = startNode(cliMain, ['up', ...args], { MLX_GATEWAY_HOME: gw.home });
  gw.cleanup.group(up.pid);
  const url = /listening on (http:\S+)/.exec(await up.waitForLine(/listening on http:/))![1]!;
  const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
  gw.cleanup.group(supervisorPid);
  return { up, url, supervisorPid };
}

describe('mlx-gateway up never leaves debris', () => {
  it('a failed up (address in use) says who holds it and stops the supervisor it started', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    held = createServer();
    const port = await freePort();
    held.listen(port, '127.0.0.1');
    await once(held, 'listening');

    const result = await runCli(gw.home, ['up', '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^mlx-gateway: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use by pid ${process.pid} \\(.*\\); stop it, or choose another port with \`mlx-gateway up --port N\` or \`listen:\` in the config\\n$`,
      ),
    );
    // Nothing answers any more, and the next `up` is not blocked.
    const status = await runCli(gw.home, ['status']);
    expect(status.stderr).toContain('no supervisor answers');
    expect(existsSync(join(gw.home, 'run', 'up.pid'))).toBe(false);
  });

  it('a second up while one runs says so and exits non-zero; the first keeps serving', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const { up, url } = await startUp();
    const second = await runCli(gw.home, ['up']);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `mlx-gateway: mlx-gateway up is already running (pid ${up.pid}, listening on ${url}); use that one, or stop it first (Ctrl-C in its terminal, or \`kill ${up.pid}\`)\n`,
    );
    expect((await fetch(`${url}/v1/models`)).status).toBe(200);
    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
  });

  it('refuses --port inside a model port range, as listen: is', async () => {
    gw = new TestGateway();
    writeFileSync(
      join(gw.home, 'config.yaml'),
      'supervisor:\n  ports: { gateway: 14100-14119, operator: 14120-14129 }\n',
    );
    const result = await runCli(gw.home, ['up', '--port', '14105']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'mlx-gateway: port 14105 is inside supervisor.ports.gateway (14100-14119), which model servers use; choose a port outside 14100-14119\n',
    );
  });

  it('says at once when the supervisor dies under it, and stops the proxy', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const { up, url, supervisorPid } = await startUp();
    process.kill(supervisorPid, 'SIGKILL');
    expect(await up.exited).toBe(1);
    expect(up.lines).toContain(
      `mlx-gateway: the supervisor (pid ${supervisorPid}) exited on a signal; models cannot start or stop. The proxy is stopped too; see ${join(gw.home, 'logs', 'supervisor.log')} and run \`mlx-gateway up\` again`,
    );
    await expect(fetch(`${url}/v1/models`)).rejects.toThrow();
  });

  it('also notices a supervisor it found running going away', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const sup = await gw.startSupervisor();
    const { up, url } = await startUp();
    expect(up.lines).toContain(`  supervisor: pid ${sup.pid} (already running)`);
    process.kill(sup.pid, 'SIGKILL');
    expect(await up.exited).toBe(1);
    expect(up.lines).toContain(
      `mlx-gateway: the supervisor (pid ${sup.pid}) is gone; models cannot start or stop. The proxy is stopped too; see ${join(gw.home, 'logs', 'supervisor.log')} and run \`mlx-gateway up\` again`,
    );
    await expect(fetch(`${url}/v1/models`)).rejects.toThrow();
  });

  it('ends cleanly when `down` shuts its supervisor down', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const { up, supervisorPid } = await startUp();
    const down = await runCli(gw.home, ['down']);
    expect(down.stdout).toBe(
      `stopping the supervisor (pid ${supervisorPid})…\nsupervisor stopped; no models were running\n`,
    );
    expect(await up.exited).toBe(0);
    expect(up.lines).toContain(
      `the supervisor (pid ${supervisorPid}) was shut down (\`mlx-gateway down\`); stopping the proxy…`,
    );
  });

  it('also ends cleanly, its proxy closed, when `down` stops a supervisor it found running', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const sup = await gw.startSupervisor();
    const { up, url } = await startUp();
    expect((await runCli(gw.home, ['down'])).code).toBe(0);
    expect(await up.exited).toBe(0);
    expect(up.lines).toContain(
      `the supervisor (pid ${sup.pid}) was shut down (\`mlx-gateway down\`); stopping the proxy…`,
    );
    await expect(fetch(`${url}/v1/models`)).rejects.toThrow();
  });
});

describe('mlx-gateway down', () => {
  it('with nothing running says so and exits 0', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const result = await runCli(gw.home, ['down']);
    expect(result).toEqual({
      code: 0,
      stdout: `no supervisor is running (nothing answers on ipc://${join(gw.home, 'run', 'control.sock')}); nothing to stop\n`,
      stderr: '',
    });
  });

  it('with keepModelsOnExit: true names the models it left running', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'), '  keepModelsOnExit: true');
    await gw.startSupervisor();
    expect((await runCli(gw.home, ['start', 'tiny'])).code).toBe(0);
    const [child] = gw.children();
    const result = await runCli(gw.home, ['down']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `supervisor stopped; left running (keepModelsOnExit: true): tiny (pid ${child!.pid}, port ${child!.port}); the next supervisor adopts them\n`,
    );
    expect(isAlive(child!.pid)).toBe(true);
  });
});

describe('mlx-gateway logs', () => {
  it("reads a model's log file without a supervisor, and the proxy's and supervisor's own logs", async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const logs = join(gw.home, 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'tiny.log'), 'one\ntwo\nthree\n');
    writeFileSync(join(logs, 'proxy.log'), '{"level":30,"msg":"proxy listening"}\n');
    writeFileSync(join(logs, 'supervisor.log'), 'mlx-gateway supervisor ready (pid 1)\n');

    expect(await runCli(gw.home, ['logs', 'tiny', '-n', '2'])).toEqual({
      code: 0,
      stdout: 'two\nthree\n',
      stderr: '',
    });
    expect((await runCli(gw.home, ['logs', 'proxy'])).stdout).toBe(
      '{"level":30,"msg":"proxy listening"}\n',
    );
    expect((await runCli(gw.home, ['logs', 'supervisor'])).stdout).toBe(
      'mlx-gateway supervisor ready (pid 1)\n',
    );
    const typo = await runCli(gw.home, ['logs', 'tinny']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe(
      `mlx-gateway: model "tinny" is not configured in ${join(gw.home, 'config.yaml')}; did you mean "tiny"?\n`,
    );
  });
});

describe('mlx-gateway start with a missing command', () => {
  it('names the command, the PATH searched and how to set command:', async () => {
    gw = new TestGateway();
    await gw.configure(
      '  llama:\n    backend: mlx-openai-server\n    command: [mlx-openai-server-missing]\n    modelPath: m/q\n',
    );
    // The supervisor spawns the model, so the PATH searched is the supervisor's.
    gw.supervisor = await startSupervisor(gw.home, { PATH: '/usr/bin:/bin' });
    gw.cleanup.group(gw.supervisor.pid);
    const result = await runCli(gw.home, ['start', 'llama']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'mlx-gateway: could not start the model server: the command "mlx-openai-server-missing" was not found on PATH (searched /usr/bin, /bin); install it, or set `command:` in models.llama to its full path, for example `command: [/opt/homebrew/bin/mlx-openai-server-missing]`\n',
    );
  });
});

describe('mlx-gateway up on a non-loopback address without client keys', () => {
  it("refuses with the gateway's hint intact", async () => {
    gw = new TestGateway();
    const port = await freePort();
    writeFileSync(join(gw.home, 'config.yaml'), `listen: 0.0.0.0:${port}\n`);
    const result = await runCli(gw.home, ['up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Create a client key with `mlx-gateway keys create-client NAME` (clients then send `Authorization: Bearer <key>` or `x-api-key: <key>`)',
    );
  });
});
