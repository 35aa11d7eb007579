import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SupervisorClient, generateCurveKeyPair } from '@mlx-gateway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { postJson } from '../support/http.js';
import {
  Cleanup,
  freePort,
  portRanges,
  registeredChildren,
  standinModel,
  startNode,
  startProxyProcess,
  startSupervisor,
  supervisorMain,
  tempHome,
} from '../support/processes.js';

const cleanup = new Cleanup();
const homes: string[] = [];
const clients: SupervisorClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cleanup.run(homes.splice(0).flatMap((h) => registeredChildren(h).map((c) => c.pid)));
});

function newHome(): string {
  const home = tempHome();
  homes.push(home);
  cleanup.dir(home);
  return home;
}

const mode = (path: string): number => lstatSync(path).mode & 0o777;

/** Sends a ping; the error code when nobody answers. */
async function ping(client: SupervisorClient): Promise<unknown> {
  clients.push(client);
  return client.request({ cmd: 'ping' }).catch((err: { code?: string }) => err.code);
}

describe('the control socket over ipc', () => {
  it('lives in the 0700 run directory and is itself 0600, as is an endpoint configured elsewhere', async () => {
    const home = newHome();
    const elsewhere = join(home, 'sockets');
    mkdirSync(elsewhere, { mode: 0o755 });
    writeFileSync(
      join(home, 'config.yaml'),
      `supervisor:\n  ports: ${await portRanges()}\n  events: ipc://${elsewhere}/events.sock\n`,
    );
    const supervisor = await startSupervisor(home);
    cleanup.group(supervisor.pid);
    expect(mode(join(home, 'run'))).toBe(0o700);
    const control = join(home, 'run', 'control.sock');
    const events = join(elsewhere, 'events.sock');
    for (const socket of [control, events]) {
      expect(lstatSync(socket).isSocket()).toBe(true);
      expect(mode(socket), socket).toBe(0o600);
    }
    expect((await runCli(home, ['status'])).code).toBe(0);
  });
});

describe('a TCP control endpoint', () => {
  async function curveHome(): Promise<{ home: string; yaml: string }> {
    const home = newHome();
    const made = await runCli(home, ['keys', 'curve']);
    expect(made.code, made.stderr).toBe(0);
    // The printed section, with free ports for the two endpoints.
    const yaml = made.stdout
      .replace(/tcp:\/\/127\.0\.0\.1:5555[^\n]*/, `tcp://127.0.0.1:${await freePort()}`)
      .replace('tcp://127.0.0.1:5556', `tcp://127.0.0.1:${await freePort()}`)
      .replace('supervisor:\n', `supervisor:\n  ports: ${await portRanges()}\n`);
    return { home, yaml };
  }

  it('serves the CLI and the proxy with CURVE keys, and answers nobody else', async () => {
    const { home, yaml } = await curveHome();
    const port = await freePort();
    writeFileSync(
      join(home, 'config.yaml'),
      `listen: 127.0.0.1:${port}\n${yaml}models:\n${standinModel('tiny')}`,
    );
    const supervisor = await startSupervisor(home);
    cleanup.group(supervisor.pid);
    const endpoint = /control: (tcp:\S+)/.exec(yaml)![1]!;
    const serverPublicKey = /serverPublicKey: "([^"]+)"/.exec(yaml)![1]!;

    const status = await runCli(home, ['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).models[0]).toMatchObject({ name: 'tiny', state: 'stopped' });

    // The proxy's control and event links use the client keys too: a local model is served.
    const proxy = await startProxyProcess(home);
    cleanup.group(proxy.pid);
    const res = await postJson(`${proxy.url}/v1/chat/completions`, {
      model: 'tiny',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 4,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Neither the CLI nor the proxy's two links were refused by the key check.
    expect(supervisor.lines.join('\n')).not.toContain('unknown CURVE key');

    // No keys: no answer. Knowing the server's public key (it is in the config) is not enough.
    expect(await ping(new SupervisorClient({ endpoint, timeoutMs: 500 }))).toMatch(
      /^SUPERVISOR_(TIMEOUT|UNAVAILABLE)$/,
    );
    const stranger = new SupervisorClient({
      endpoint,
      timeoutMs: 500,
      curve: { serverPublicKey, ...generateCurveKeyPair() },
    });
    expect(await ping(stranger)).toMatch(/^SUPERVISOR_(TIMEOUT|UNAVAILABLE)$/);
    expect(supervisor.lines.join('\n')).toContain('refused a client with an unknown CURVE key');

    // The CLI of a config without the keys gets no answer either.
    const bare = newHome();
    writeFileSync(
      join(bare, 'config.yaml'),
      yaml.replace(/ {2}curve:\n(?: {4}.*\n)+/, '').replace(/ {2}ports: .*\n/, ''),
    );
    const refused = await runCli(bare, ['status']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no supervisor answers on ${endpoint}`);
  });

  it('is refused at start-up without CURVE keys, saying how to make them', async () => {
    const home = newHome();
    writeFileSync(
      join(home, 'config.yaml'),
      `supervisor:\n  control: tcp://127.0.0.1:${await freePort()}\n`,
    );
    const supervisor = startNode(supervisorMain, [], { MLX_GATEWAY_HOME: home });
    cleanup.group(supervisor.pid);
    expect(await supervisor.exited).toBe(1);
    const output = supervisor.lines.join('\n');
    expect(output).toMatch(
      /refusing to listen on tcp:\/\/127\.0\.0\.1:\d+ \(supervisor\.control\) without authentication/,
    );
    expect(output).toContain('mlx-gateway keys curve');
  });

  it('is refused at start-up when a CURVE secret key is not stored', async () => {
    const { home, yaml } = await curveHome();
    writeFileSync(join(home, 'config.yaml'), yaml);
    expect((await runCli(home, ['keys', 'rm', 'SUPERVISOR_CURVE_SERVER_SECRET'])).code).toBe(0);
    const supervisor = startNode(supervisorMain, [], { MLX_GATEWAY_HOME: home });
    cleanup.group(supervisor.pid);
    expect(await supervisor.exited).toBe(1);
    expect(supervisor.lines.join('\n')).toContain(
      'mlx-gateway keys set SUPERVISOR_CURVE_SERVER_SECRET',
    );
  });
});
