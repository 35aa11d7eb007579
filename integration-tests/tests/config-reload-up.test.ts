import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import {
  cliMain,
  freePort,
  portRanges,
  standinModel,
  startNode,
  writeConfig,
} from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

const chat = (model: string) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 3,
});

describe('SIGHUP to mlx-gateway up', () => {
  it('reloads like `mlx-gateway reload`; an invalid file is reported and changes nothing', async () => {
    gw = new TestGateway();
    const head = `listen: 127.0.0.1:${await freePort()}\nsupervisor:\n  ports: ${await portRanges()}\nmodels:\n`;
    writeConfig(gw.home, `${head}${standinModel('one')}`);
    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(up.pid);
    const url = /listening on (http:\S+)/.exec(
      await up.waitForLine(/listening on (http:\S+)/),
    )![1]!;
    const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
    gw.cleanup.group(supervisorPid);
    await up.waitForLine(/Press Ctrl-C/);
    expect((await postJson(`${url}/v1/chat/completions`, chat('one'))).status).toBe(200);
    expect((await postJson(`${url}/v1/chat/completions`, chat('two'))).status).toBe(404);

    writeConfig(gw.home, `${head}${standinModel('one')}${standinModel('two')}`);
    process.kill(up.pid, 'SIGHUP');
    expect(await up.waitForLine(/models added: two/)).toBeDefined();
    await waitUntil(
      async () => (await postJson(`${url}/v1/chat/completions`, chat('two'))).status === 200,
      'the proxy of `up` to route the added model',
    );

    writeConfig(gw.home, `${head}${standinModel('one')}    idleTimeout: 300\n`);
    process.kill(up.pid, 'SIGHUP');
    expect(await up.waitForLine(/models\.one\.idleTimeout/)).toBeDefined();
    await up.waitForLine(/nothing was changed/);
    expect((await postJson(`${url}/v1/chat/completions`, chat('two'))).status).toBe(200);

    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
  });

  it('up --watch reloads when the config file changes', async () => {
    gw = new TestGateway();
    const head = `listen: 127.0.0.1:${await freePort()}\nsupervisor:\n  ports: ${await portRanges()}\nmodels:\n`;
    writeConfig(gw.home, `${head}${standinModel('one')}`);
    const up = startNode(cliMain, ['up', '--watch'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(up.pid);
    const url = /listening on (http:\S+)/.exec(
      await up.waitForLine(/listening on (http:\S+)/),
    )![1]!;
    gw.cleanup.group(Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]));
    await up.waitForLine(/Press Ctrl-C/);

    writeConfig(gw.home, `${head}${standinModel('one')}${standinModel('two')}`);
    await up.waitForLine(/models added: two/);
    await waitUntil(
      async () => (await postJson(`${url}/v1/chat/completions`, chat('two'))).status === 200,
      'the added model to be routed',
    );
    // One reload for one save, however many file events the write made.
    expect(up.lines.filter((l) => l.startsWith('reloaded:'))).toHaveLength(1);
    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
  });
});
