import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FakeCloud } from '../support/fake-cloud.js';
import {
  Cleanup,
  freePort,
  portRanges,
  proxyMain,
  registeredChildren,
  standinModel,
  startNode,
  startProxyProcess,
  startSupervisor,
  tempHome,
} from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  format: 'openai' | 'anthropic';
}

const ROUTES: Route[] = [
  {
    name: 'chat',
    method: 'POST',
    path: '/v1/chat/completions',
    body: { model: 'small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 },
    format: 'openai',
  },
  {
    name: 'completions',
    method: 'POST',
    path: '/v1/completions',
    body: { model: 'small', prompt: 'hi', max_tokens: 4 },
    format: 'openai',
  },
  {
    name: 'embeddings',
    method: 'POST',
    path: '/v1/embeddings',
    body: { model: 'cloud', input: 'hi' },
    format: 'openai',
  },
  { name: 'models', method: 'GET', path: '/v1/models', format: 'openai' },
  { name: 'gateway models', method: 'GET', path: '/v1/gateway/models', format: 'openai' },
  {
    name: 'messages',
    method: 'POST',
    path: '/v1/messages',
    body: { model: 'small', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] },
    format: 'anthropic',
  },
];

async function send(url: string, route: Route, headers: Record<string, string>) {
  const res = await request(`${url}${route.path}`, {
    method: route.method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: JSON.parse(text) as Record<string, unknown> };
}

function expectAuthError(route: Route, res: { json: Record<string, unknown> }, type: string): void {
  if (route.format === 'anthropic') {
    expect(res.json).toMatchObject({ type: 'error', error: { type } });
  } else {
    expect(res.json['error']).toMatchObject({ type });
  }
}

const cleanup = new Cleanup();
let home = '';
let url = '';
let cloud: FakeCloud;
let fullKey = '';
let smallOnlyKey = '';

beforeAll(async () => {
  home = tempHome();
  cleanup.dir(home);
  cloud = await FakeCloud.start();
  const port = await freePort();
  writeFileSync(
    join(home, 'config.yaml'),
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('small', {}, '    aliases: [small-alias]\n')}
  cloud:
    backend: openai-compatible
    url: ${cloud.url('ok')}
    allowPrivateNetwork: true
`,
  );
  fullKey = (await runCli(home, ['keys', 'create-client', 'laptop'])).stdout.trim();
  smallOnlyKey = (
    await runCli(home, ['keys', 'create-client', 'ci', '--models', 'small'])
  ).stdout.trim();
  const supervisor = await startSupervisor(home);
  cleanup.group(supervisor.pid);
  const proxy = await startProxyProcess(home);
  cleanup.group(proxy.pid);
  url = proxy.url;
});

afterAll(async () => {
  await cloud.close();
  await cleanup.run(registeredChildren(home).map((c) => c.pid));
});

describe('client keys on every route', () => {
  it.each(ROUTES)('$name: 401 without a key or with a wrong one', async (route) => {
    const wrong = 'mgw-this-key-was-never-issued-by-the-gateway-0';
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Bearer ${wrong}` },
      { 'x-api-key': wrong },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ]) {
      const res = await send(url, route, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expectAuthError(route, res, 'authentication_error');
      expect(res.text).not.toContain(wrong);
    }
  });

  const CLIENT_ROUTES = ROUTES.filter((r) => r.name !== 'gateway models');
  it.each(CLIENT_ROUTES)('$name: served with the right key in either header', async (route) => {
    const forms: Array<Record<string, string>> = [
      { authorization: `Bearer ${fullKey}` },
      { 'x-api-key': fullKey },
    ];
    for (const headers of forms) {
      const res = await send(url, route, headers);
      expect(res.status, res.text).toBe(200);
    }
  });

  it('keeps /health open to monitors', async () => {
    const res = await request(`${url}/health`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('gives a key limited to some models 403 for any other, in the caller format', async () => {
    const allowed = ROUTES.find((r) => r.name === 'chat')!;
    expect((await send(url, allowed, { 'x-api-key': smallOnlyKey })).status).toBe(200);
    const viaAlias = { ...allowed, body: { ...(allowed.body as object), model: 'small-alias' } };
    expect((await send(url, viaAlias, { 'x-api-key': smallOnlyKey })).status).toBe(200);
    const before = cloud.requests.length;
    for (const route of ROUTES.filter((r) => r.body !== undefined)) {
      const other = { ...route, body: { ...(route.body as object), model: 'cloud' } };
      const res = await send(url, other, { authorization: `Bearer ${smallOnlyKey}` });
      expect(res.status, `${route.name}: ${res.text}`).toBe(403);
      expectAuthError(route, res, 'permission_error');
      expect(res.text).toContain("the client key 'ci' may not use model 'cloud'");
    }
    expect(cloud.requests.length).toBe(before);
  });

  it('shows a key only the models it may use, and no client key the operator view', async () => {
    const models = ROUTES.find((r) => r.name === 'models')!;
    const ids = async (key: string) =>
      ((await send(url, models, { 'x-api-key': key })).json['data'] as Array<{ id: string }>)
        .map((m) => m.id)
        .sort();
    expect(await ids(smallOnlyKey)).toEqual(['small', 'small-alias']);
    expect(await ids(fullKey)).toEqual(['cloud', 'small', 'small-alias']);

    const operatorView = ROUTES.find((r) => r.name === 'gateway models')!;
    for (const key of [fullKey, smallOnlyKey]) {
      const res = await send(url, operatorView, { authorization: `Bearer ${key}` });
      expect(res.status).toBe(403);
      expectAuthError(operatorView, res, 'permission_error');
      expect(res.text).toContain('operator view');
      expect(res.text).not.toContain('cloud');
    }
  });

  it('lets a revoked key in no more, and a new one in at once, without a restart', async () => {
    const models = ROUTES.find((r) => r.name === 'models')!;
    const created = (await runCli(home, ['keys', 'create-client', 'late'])).stdout.trim();
    await waitUntil(
      async () => (await send(url, models, { 'x-api-key': created })).status === 200,
      'the new key to be accepted',
    );
    expect((await runCli(home, ['keys', 'rm-client', 'late'])).code).toBe(0);
    await waitUntil(
      async () => (await send(url, models, { 'x-api-key': created })).status === 401,
      'the revoked key to be refused',
    );
    expect((await send(url, models, { 'x-api-key': fullKey })).status).toBe(200);
  });
});

describe('listening beyond loopback', () => {
  it.each(['0.0.0.0', '[::]'])(
    'the proxy refuses to start on %s without client keys, saying how to create one',
    async (host) => {
      const bare = tempHome();
      cleanup.dir(bare);
      writeFileSync(join(bare, 'config.yaml'), `listen: "${host}:${await freePort()}"\n`);
      const proxy = startNode(proxyMain, [], { MLX_GATEWAY_HOME: bare });
      cleanup.group(proxy.pid);
      expect(await proxy.exited).not.toBe(0);
      const output = proxy.lines.join('\n');
      expect(output).toContain('refusing to listen on');
      expect(output).toContain('without client keys');
      expect(output).toContain('mlx-gateway keys create-client NAME');
      expect(output).not.toContain('proxy listening');
    },
  );

  it('`mlx-gateway up` refuses before it starts anything', async () => {
    const bare = tempHome();
    cleanup.dir(bare);
    writeFileSync(join(bare, 'config.yaml'), `listen: "0.0.0.0:${await freePort()}"\n`);
    const result = await runCli(bare, ['up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mlx-gateway keys create-client NAME');
    // No supervisor was left behind.
    const status = await runCli(bare, ['status']);
    expect(status.stderr).toContain('no supervisor answers');
  });

  it('with a client key, the proxy listens on 0.0.0.0 and requires it', async () => {
    const lan = tempHome();
    cleanup.dir(lan);
    writeFileSync(join(lan, 'config.yaml'), `listen: "0.0.0.0:${await freePort()}"\n`);
    const key = (await runCli(lan, ['keys', 'create-client', 'lan'])).stdout.trim();
    const proxy = await startProxyProcess(lan);
    cleanup.group(proxy.pid);
    const local = proxy.url.replace('0.0.0.0', '127.0.0.1');
    const models = ROUTES.find((r) => r.name === 'models')!;
    expect((await send(local, models, {})).status).toBe(401);
    expect((await send(local, models, { authorization: `Bearer ${key}` })).status).toBe(200);
  });
});
