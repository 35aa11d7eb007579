import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FakeCloud } from '../support/fake-cloud.js';
import {
  plantSecret,
  scanText,
  scanTree,
  type LeakHit,
  type PlantedSecret,
} from '../support/leak-scan.js';
import {
  Cleanup,
  cliMain,
  freePort,
  portRanges,
  registeredChildren,
  standinModel,
  startNode,
  startSupervisor,
  tempHome,
  type RunningProcess,
} from '../support/processes.js';

const cleanup = new Cleanup();
const homes: string[] = [];
let cloud: FakeCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
  await cleanup.run(homes.splice(0).flatMap((h) => registeredChildren(h).map((c) => c.pid)));
});

interface Seen {
  where: string;
  text: string;
}

/** One HTTP exchange with the gateway; everything the client got is kept for the scan. */
async function call(
  seen: Seen[],
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  const res = await request(`${url}${path}`, {
    method: (options.method ?? (options.body === undefined ? 'GET' : 'POST')) as 'GET' | 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.body.text();
  seen.push({
    where: `response to ${path} (${res.statusCode})`,
    text: `${JSON.stringify(res.headers)}\n${text}`,
  });
  return { status: res.statusCode, text };
}

function upstreamModel(url: string, apiKey: string, extra = ''): string {
  return `    backend: openai-compatible
    url: ${url}
    apiKey: ${apiKey}
    allowPrivateNetwork: true
${extra}`;
}

function describeHits(hits: LeakHit[]): string[] {
  return hits.map((h) => `${h.secret} (${h.form}) in ${h.where}`);
}

async function cliOk(home: string, args: string[], input?: string, env?: Record<string, string>) {
  const result = await runCli(home, args, {
    ...(input === undefined ? {} : { input }),
    ...(env === undefined ? {} : { env }),
  });
  if (result.code !== 0) {
    throw new Error(`mlx-gateway ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return result;
}

describe('no key leaks', () => {
  it('planted upstream and client keys appear in no file, response, log or command output', async () => {
    const home = tempHome();
    homes.push(home);
    cleanup.dir(home);
    cloud = await FakeCloud.start();

    const storeKey = plantSecret('upstream key (encrypted store)', 'sk-leaktest-');
    const envKey = plantSecret('upstream key (environment)', 'sk-ant-leaktest-');
    const anthropicKey = plantSecret('anthropic key (encrypted store)', 'sk-ant-leaktest-');
    const headerToken = plantSecret('secret header (unusual shape)', 'leakhdr-');
    const badClientKey = plantSecret('bad client key (provider shape)', 'sk-leaktest-badclient-');
    const wrongGatewayKey = plantSecret('bad client key (gateway shape)', 'mgw-leaktest-');

    const port = await freePort();
    writeFileSync(
      join(home, 'config.yaml'),
      `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('local')}
${standinModel('local-crash', { MLX_STANDIN_FAIL: 'crash-during-load' })}
  cloud-store:
${upstreamModel(cloud.url('ok'), '${secret:LEAK_STORE_KEY}', '    headers: { x-org-token: "${secret:LEAK_HEADER_TOKEN}" }\n')}
  cloud-env:
${upstreamModel(cloud.url('ok'), '${env:LEAK_ENV_KEY}')}
  cloud-401:
${upstreamModel(cloud.url('unauthorized'), '${secret:LEAK_STORE_KEY}')}
  cloud-500:
${upstreamModel(cloud.url('echo500'), '${env:LEAK_ENV_KEY}', '    headers: { x-org-token: "${secret:LEAK_HEADER_TOKEN}" }\n')}
  cloud-hang:
${upstreamModel(cloud.url('hang'), '${secret:LEAK_STORE_KEY}', '    timeouts: { firstByte: 1s }\n')}
  claude:
    backend: anthropic
    url: ${cloud.url('ok')}
    apiKey: \${secret:LEAK_ANTHROPIC_KEY}
    allowPrivateNetwork: true
  claude-500:
    backend: anthropic
    url: ${cloud.url('echo500')}
    apiKey: \${secret:LEAK_ANTHROPIC_KEY}
    allowPrivateNetwork: true
`,
      { mode: 0o600 },
    );
    const env = { LEAK_ENV_KEY: envKey.value };

    // Upstream keys go into the encrypted store through `keys set` (stdin), never argv.
    for (const [name, secret] of [
      ['LEAK_STORE_KEY', storeKey],
      ['LEAK_HEADER_TOKEN', headerToken],
      ['LEAK_ANTHROPIC_KEY', anthropicKey],
    ] as const) {
      const set = await cliOk(home, ['keys', 'set', name], `${secret.value}\n`);
      expect(set.stdout).toContain(`stored ${name} in the encrypted file`);
    }
    const created = await cliOk(home, ['keys', 'create-client', 'leak-client']);
    const clientKey: PlantedSecret = {
      label: 'gateway client key',
      value: created.stdout.trim(),
      core: created.stdout.trim().slice(4),
    };
    expect(clientKey.value).toMatch(/^mgw-[A-Za-z0-9_-]{43}$/);
    const secrets = [
      storeKey,
      envKey,
      anthropicKey,
      headerToken,
      badClientKey,
      wrongGatewayKey,
      clientKey,
    ];

    // The whole gateway as a user runs it: `mlx-gateway up` (supervisor and proxy log files).
    const up = startNode(cliMain, ['up'], { MLX_GATEWAY_HOME: home, ...env });
    cleanup.group(up.pid);
    const url = /listening on (http:\S+)/.exec(
      await up.waitForLine(/listening on (http:\S+)/),
    )![1]!;
    const supervisorPid = Number(/pid (\d+)/.exec(await up.waitForLine(/supervisor: pid/))![1]);
    cleanup.group(supervisorPid);

    const seen: Seen[] = [];
    const auth = { authorization: `Bearer ${clientKey.value}` };
    const chat = (model: string, extra: object = {}) => ({
      model,
      messages: [{ role: 'user', content: 'hello there' }],
      max_tokens: 8,
      ...extra,
    });
    const messages = (model: string, extra: object = {}) => ({
      model,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hello there' }],
      ...extra,
    });
    const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
      call(seen, url, path, { body, headers });

    // Success: both key sources, streamed and not, every OpenAI operation, both API formats.
    expect((await post('/v1/chat/completions', chat('cloud-store'))).status).toBe(200);
    expect((await post('/v1/chat/completions', chat('cloud-env', { stream: true }))).status).toBe(
      200,
    );
    expect((await post('/v1/completions', { model: 'cloud-store', prompt: 'hi' })).status).toBe(
      200,
    );
    expect((await post('/v1/embeddings', { model: 'cloud-env', input: 'hi' })).status).toBe(200);
    expect(
      (await post('/v1/messages', messages('cloud-store'), { 'x-api-key': clientKey.value }))
        .status,
    ).toBe(200);
    expect(
      (await post('/v1/messages', messages('claude'), { 'x-api-key': clientKey.value })).status,
    ).toBe(200);
    expect((await post('/v1/chat/completions', chat('claude'))).status).toBe(200);
    expect((await post('/v1/chat/completions', chat('local'))).status).toBe(200);
    expect((await call(seen, url, '/v1/models', { headers: auth })).status).toBe(200);
    expect((await call(seen, url, '/v1/gateway/models', { headers: auth })).status).toBe(403);

    // Failures: upstream 401 quoting the key, 500 echoing every header, a timeout, a crash.
    const refused = await post('/v1/chat/completions', chat('cloud-401'));
    expect(refused.status).toBe(502);
    expect(refused.text).toContain('upstream_auth');
    for (const body of [chat('cloud-500'), chat('cloud-500', { stream: true })]) {
      expect((await post('/v1/chat/completions', body)).status).toBe(502);
    }
    expect(
      (await post('/v1/messages', messages('claude-500'), { 'x-api-key': clientKey.value })).status,
    ).toBe(502);
    expect(
      (await post('/v1/messages', messages('cloud-500'), { 'x-api-key': clientKey.value })).status,
    ).toBe(502);
    expect((await post('/v1/chat/completions', chat('cloud-hang'))).status).toBe(504);
    expect((await post('/v1/chat/completions', chat('local-crash'))).status).toBe(503);

    // Bad client keys, in both header forms and on both API formats.
    expect(
      (
        await post('/v1/chat/completions', chat('cloud-store'), {
          authorization: `Bearer ${badClientKey.value}`,
        })
      ).status,
    ).toBe(401);
    expect(
      (await post('/v1/messages', messages('claude'), { 'x-api-key': wrongGatewayKey.value }))
        .status,
    ).toBe(401);
    expect(
      (await post('/v1/chat/completions', chat('cloud-store'), { 'x-api-key': badClientKey.value }))
        .status,
    ).toBe(401);

    // The planted keys really flowed: the upstreams got the gateway's keys, never the client's.
    const sent = cloud.requests;
    expect(sent.some((r) => r.headers['authorization'] === `Bearer ${storeKey.value}`)).toBe(true);
    expect(sent.some((r) => r.headers['authorization'] === `Bearer ${envKey.value}`)).toBe(true);
    expect(sent.some((r) => r.headers['x-org-token'] === headerToken.value)).toBe(true);
    expect(sent.some((r) => r.headers['x-api-key'] === anthropicKey.value)).toBe(true);
    expect(sent.some((r) => JSON.stringify(r.headers).includes(clientKey.value))).toBe(false);

    // What the operator's commands print.
    for (const args of [
      ['config', 'check'],
      ['keys', 'list'],
      ['keys', 'list-clients'],
      ['status'],
      ['status', '--json'],
      ['logs', 'local'],
      ['logs', 'local-crash'],
    ]) {
      const result = await runCli(home, args, { env });
      expect(result.code, `mlx-gateway ${args.join(' ')}: ${result.stderr}`).toBe(0);
      seen.push({ where: `mlx-gateway ${args.join(' ')}`, text: result.stdout + result.stderr });
    }
    const check = seen.find((s) => s.where === 'mlx-gateway config check')!.text;
    expect(check).toContain('${env:LEAK_ENV_KEY} (set)');
    expect(check).toContain('${secret:LEAK_STORE_KEY} (stored in encrypted-file)');

    const whileRunning = scanTree(home, secrets);
    process.kill(up.pid, 'SIGINT');
    expect(await up.exited).toBe(0);
    const afterStop = scanTree(home, secrets);
    for (const file of ['proxy.log', 'supervisor.log', 'local.log', 'local-crash.log']) {
      expect(afterStop.files).toContain(join(home, 'logs', file));
    }
    expect(whileRunning.files).toContain(join(home, 'run', 'children.json'));
    expect(afterStop.files).toEqual(
      expect.arrayContaining([join(home, 'secrets.enc'), join(home, 'clients.json')]),
    );

    const hits = [
      ...whileRunning.hits,
      ...afterStop.hits,
      ...seen.flatMap((s) => scanText(s.where, s.text, secrets)),
      ...scanText('mlx-gateway up output', up.lines.join('\n'), secrets),
    ];
    expect(describeHits(hits)).toEqual([]);
  }, 120_000);

  it('control: the same scan finds a key that a component does print, in any encoding', async () => {
    const home = tempHome();
    homes.push(home);
    cleanup.dir(home);
    const key = plantSecret('upstream key (environment)', 'sk-ant-leaktest-');
    // A model server that prints the key it inherited, raw and base64-encoded, then exits.
    const print =
      "const k=process.env.LEAK_ENV_KEY;console.log('key', k);console.log('b64', Buffer.from('Basic:'+k).toString('base64'))";
    writeFileSync(
      join(home, 'config.yaml'),
      `supervisor:
  ports: ${await portRanges()}
models:
  leaky:
    backend: command
    command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(print)}, "\${PORT}"]
    startTimeout: 5s
`,
    );
    const supervisor: RunningProcess = await startSupervisor(home, { LEAK_ENV_KEY: key.value });
    cleanup.group(supervisor.pid);
    const start = await runCli(home, ['start', 'leaky']);
    expect(start.code).not.toBe(0);

    const hits = describeHits(scanTree(home, [key]).hits);
    const log = join(home, 'logs', 'leaky.log');
    expect(hits).toEqual(
      expect.arrayContaining([
        `${key.label} (raw) in ${log}`,
        `${key.label} (core) in ${log}`,
        expect.stringMatching(
          new RegExp(`^${key.label.replace(/[()]/g, '\\$&')} \\(base64\\+\\d\\) in ${log}$`),
        ),
      ]),
    );
  });
});
