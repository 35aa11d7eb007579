import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { postJson } from '../support/http.js';
import {
  Cleanup,
  cliMain,
  freePort,
  portRanges,
  registeredChildren,
  standinModel,
  startNode,
  tempHome,
} from '../support/processes.js';

const cleanup = new Cleanup();
let home = '';
afterEach(async () => {
  await cleanup.run(registeredChildren(home).map((c) => c.pid));
});

const mode = (path: string): string => `0${(lstatSync(path).mode & 0o777).toString(8)}`;

describe('file modes after a real run', () => {
  it('keeps the home, run and logs directories 0700 and every file in them 0600', async () => {
    const parent = tempHome();
    cleanup.dir(parent);
    home = join(parent, 'gw');
    // A home and logs directory someone left open: the gateway tightens them.
    mkdirSync(join(home, 'logs'), { recursive: true });
    chmodSync(home, 0o755);
    chmodSync(join(home, 'logs'), 0o755);
    writeFileSync(
      join(home, 'config.yaml'),
      `listen: 127.0.0.1:${await freePort()}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('tiny')}`,
      { mode: 0o600 },
    );

    expect(
      (await runCli(home, ['keys', 'set', 'SOME_KEY'], { input: 'sk-modes-0123456789abcdef\n' }))
        .code,
    ).toBe(0);
    expect((await runCli(home, ['keys', 'create-client', 'modes'])).code).toBe(0);
    const listed = (await runCli(home, ['keys', 'list-clients'])).stdout;
    expect(listed).toContain('modes');

    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: home });
    cleanup.group(up.pid);
    const url = /listening on (http:\S+)/.exec(
      await up.waitForLine(/listening on (http:\S+)/),
    )![1]!;
    cleanup.group(Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]));
    const clientKey = (await runCli(home, ['keys', 'create-client', 'modes-2'])).stdout.trim();
    const res = await postJson(
      `${url}/v1/chat/completions`,
      { model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 },
      { authorization: `Bearer ${clientKey}` },
    );
    expect(res.status).toBe(200);

    const running = {
      [home]: mode(home),
      [join(home, 'run')]: mode(join(home, 'run')),
      [join(home, 'logs')]: mode(join(home, 'logs')),
      [join(home, 'run', 'control.sock')]: mode(join(home, 'run', 'control.sock')),
      [join(home, 'run', 'events.sock')]: mode(join(home, 'run', 'events.sock')),
      [join(home, 'run', 'children.json')]: mode(join(home, 'run', 'children.json')),
    };
    expect(running).toEqual({
      [home]: '0700',
      [join(home, 'run')]: '0700',
      [join(home, 'logs')]: '0700',
      [join(home, 'run', 'control.sock')]: '0600',
      [join(home, 'run', 'events.sock')]: '0600',
      [join(home, 'run', 'children.json')]: '0600',
    });

    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);

    const files = [
      'secret.key',
      'secrets.enc',
      'clients.json',
      ...readdirSync(join(home, 'logs')).map((f) => join('logs', f)),
    ];
    expect(files).toEqual(
      expect.arrayContaining(['logs/supervisor.log', 'logs/proxy.log', 'logs/tiny.log']),
    );
    const modes = Object.fromEntries(files.map((f) => [f, mode(join(home, f))]));
    expect(modes).toEqual(Object.fromEntries(files.map((f) => [f, '0600'])));
  });
});
