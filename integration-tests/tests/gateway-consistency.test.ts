import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { getJson, postJson } from '../support/http.js';
import { freePort, portRanges, standinModel, writeConfig } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

/**
 * Issue 18 item 6: the proxy and the supervisor tell one truth. A proxy restarted alone on an
 * edited config says that the supervisor runs another version of it; revoking the last client
 * key closes the running proxy, and `keys list-clients` says so.
 */
const gateway = new TestGateway();
let url = '';
let sections = '';

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });

beforeAll(async () => {
  sections = `listen: 127.0.0.1:${await freePort()}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('first')}`;
  writeConfig(gateway.home, sections);
  await gateway.startSupervisor();
  url = await gateway.startProxy();
});

afterAll(() => gateway.stop());

describe('the proxy and the supervisor serve the same config', () => {
  it('says so when the proxy alone was restarted with a new model', async () => {
    writeConfig(gateway.home, `${sections}${standinModel('newcomer')}`);
    const old = gateway.proxy!;
    old.child.kill('SIGTERM');
    await old.exited;
    url = await gateway.startProxy();

    // Told at once, from the supervisor's first snapshot, before any request.
    await waitUntil(
      () =>
        gateway.proxy!.lines.find((l) =>
          l.includes(
            'the proxy and the supervisor run different versions of the config (not known to the supervisor: newcomer)',
          ),
        ),
      'the config difference in the proxy log',
    );
    const list = await getJson(`${url}/v1/models`);
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain('newcomer');
    const res = await postJson(`${url}/v1/chat/completions`, chat('newcomer'));
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'config_invalid', type: 'server_error' });
    expect(res.body.error.message).toBe(
      "model 'newcomer' is in the proxy's config but the supervisor answered: model 'newcomer' " +
        'is not configured. The proxy and the supervisor run different versions of the config ' +
        '(one was restarted or reloaded after an edit); restart both with `mlx-gateway down` ' +
        'then `mlx-gateway up`',
    );
    const logged = await waitUntil(
      () => gateway.proxy!.lines.find((l) => l.includes('different versions of the config')),
      'the mismatch in the proxy log',
    );
    expect(logged).toMatch(/"level":50|ERROR/);
    // The models both know are still served.
    expect((await postJson(`${url}/v1/chat/completions`, chat('first'))).status).toBe(200);
  });
});

describe('revoking the last client key', () => {
  it('closes the running proxy, and keys list-clients says the same', async () => {
    const created = await runCli(gateway.home, ['keys', 'create-client', 'only']);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    const auth = { authorization: `Bearer ${key}` };
    await waitUntil(
      async () => (await postJson(`${url}/v1/chat/completions`, chat('first'))).status === 401,
      'the proxy to require the new key',
    );
    expect((await postJson(`${url}/v1/chat/completions`, chat('first'), auth)).status).toBe(200);

    const revoked = await runCli(gateway.home, ['keys', 'rm-client', 'only']);
    const closed =
      'no client keys left: the gateway refuses every request (401) until one is created with ' +
      '`mlx-gateway keys create-client NAME`; to answer anyone on loopback instead, delete ' +
      `${join(gateway.home, 'clients.json')} and restart the gateway`;
    expect(revoked.stdout).toBe(`revoked client key "only", the last one: ${closed}\n`);
    await waitUntil(
      async () =>
        (await postJson(`${url}/v1/chat/completions`, chat('first'), auth)).status === 401,
      'the proxy to refuse the revoked key',
    );
    expect((await postJson(`${url}/v1/chat/completions`, chat('first'))).status).toBe(401);
    expect((await runCli(gateway.home, ['keys', 'list-clients'])).stdout).toBe(`${closed}\n`);

    // A proxy started now follows the same rule.
    const old = gateway.proxy!;
    old.child.kill('SIGTERM');
    await old.exited;
    url = await gateway.startProxy();
    expect((await postJson(`${url}/v1/chat/completions`, chat('first'))).status).toBe(401);
  });
});
