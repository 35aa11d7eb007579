import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReloadReport } from '@mlx-gateway/protocol';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { postJson, postStream } from '../support/http.js';
import {
  cliMain,
  freePort,
  isAlive,
  portRanges,
  standinModel,
  startCount,
  startNode,
  writeConfig,
} from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello reload' }],
  max_tokens: 3,
  ...extra,
});

let gw: TestGateway;
let listen: number;
let ports: string;

/** The gateway's config file with the same listen address and port ranges each time. */
function configure(models: string, extra = ''): void {
  writeConfig(
    gw.home,
    `listen: 127.0.0.1:${listen}
supervisor:
  ports: ${ports}
  drainTimeout: 20s
  maxLoadedModels: 3
${extra}models:
${models}`,
  );
}

const modelA = standinModel('a', { MLX_STANDIN_LOAD_MS: 100 });
const modelB = (tokenMs: number) =>
  standinModel('b', { MLX_STANDIN_LOAD_MS: 100, MLX_STANDIN_TOKEN_MS: tokenMs });

/** Requests to `model`, one after another, until stopped; every status is kept. */
function steadyStream(url: string, model: string) {
  const statuses: number[] = [];
  let running = true;
  const done = (async () => {
    while (running)
      statuses.push((await postJson(`${url}/v1/chat/completions`, chat(model))).status);
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await done;
      return statuses;
    },
  };
}

async function reload(dryRun = false): Promise<ReloadReport> {
  return gw.control().request({ cmd: 'reload', dryRun }, { timeoutMs: 60_000 });
}

beforeEach(async () => {
  gw = new TestGateway();
  listen = await freePort();
  ports = await portRanges();
  configure(`${modelA}${modelB(40)}`);
  await gw.startSupervisor();
  await gw.startProxy();
});
afterEach(async () => {
  await gw.stop();
});

describe('reload', () => {
  it('routing only and a model added: untouched models keep their pid and serve throughout', async () => {
    const url = gw.proxy!.url;
    expect((await postJson(`${url}/v1/chat/completions`, chat('a'))).status).toBe(200);
    expect((await postJson(`${url}/v1/chat/completions`, chat('b'))).status).toBe(200);
    const pidA = (await gw.model('a')).pid;
    const pidB = (await gw.model('b')).pid;
    expect((await postJson(`${url}/v1/chat/completions`, chat('nick-a'))).status).toBe(404);

    const load = steadyStream(url, 'a');
    configure(
      `${modelA}${modelB(40)}${standinModel('c', { MLX_STANDIN_LOAD_MS: 100 })}`,
      `routing:\n  rules:\n    - { match: '^nick-', model: a }\n`,
    );
    const report = await reload();
    expect(report.models).toEqual({
      added: ['c'],
      removed: [],
      restarted: [],
      updated: [],
      unchanged: ['a', 'b'],
    });
    expect(report.applied.map((s) => s.path)).toEqual(['routing']);
    expect(report.needsRestart).toEqual([]);
    await waitUntil(
      async () => (await postJson(`${url}/v1/chat/completions`, chat('nick-a'))).status === 200,
      'the proxy to follow the new routing rule',
    );
    expect((await postJson(`${url}/v1/chat/completions`, chat('c'))).status).toBe(200);
    const statuses = await load.stop();
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await gw.model('a')).pid).toBe(pidA);
    expect((await gw.model('b')).pid).toBe(pidB);
    expect(startCount(gw.home, 'a')).toBe(1);
  });

  it("one model's launch settings changed: restarted once after its in-flight stream completes", async () => {
    const url = gw.proxy!.url;
    expect((await postJson(`${url}/v1/chat/completions`, chat('a'))).status).toBe(200);
    expect((await postJson(`${url}/v1/chat/completions`, chat('b'))).status).toBe(200);
    const pidA = (await gw.model('a')).pid;
    const pidB = (await gw.model('b')).pid!;

    const load = steadyStream(url, 'a');
    // 25 tokens 40 ms apart: the stream is still running when the reload asks b to stop.
    const stream = postStream(
      `${url}/v1/chat/completions`,
      chat('b', { stream: true, max_tokens: 25 }),
    );
    await waitUntil(async () => (await gw.model('b')).leases > 0, 'the stream to hold a lease');
    configure(`${modelA}${modelB(41)}`);
    // Requests to b while it drains and restarts wait for the new process: none fails.
    const loadB = steadyStream(url, 'b');
    const report = await reload();
    const streamed = await stream;
    const statusesB = await loadB.stop();
    expect(statusesB.filter((s) => s !== 200)).toEqual([]);

    expect(report.models.restarted).toEqual(['b']);
    expect(report.models.unchanged).toEqual(['a']);
    expect(report.restarts).toEqual([
      { model: 'b', outcome: 'restarted', previousPid: pidB, pid: expect.any(Number) },
    ]);
    expect(streamed.status).toBe(200);
    expect(streamed.events.at(-1)).toBe('[DONE]');
    const text = streamed.events
      .filter((e) => e !== '[DONE]')
      .map(
        (e) =>
          (JSON.parse(e) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta
            ?.content ?? '',
      )
      .join('');
    expect(text.length).toBeGreaterThan(0);
    const b = await gw.model('b');
    expect(b.state).toBe('ready');
    expect(b.pid).not.toBe(pidB);
    expect(isAlive(pidB)).toBe(false);
    expect(startCount(gw.home, 'b')).toBe(2);
    expect((await postJson(`${url}/v1/chat/completions`, chat('b'))).status).toBe(200);
    const statuses = await load.stop();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await gw.model('a')).pid).toBe(pidA);
  });

  it('a model removed is stopped and no longer routed; an invalid file changes nothing', async () => {
    const url = gw.proxy!.url;
    expect((await postJson(`${url}/v1/chat/completions`, chat('a'))).status).toBe(200);
    expect((await postJson(`${url}/v1/chat/completions`, chat('b'))).status).toBe(200);
    const pidA = (await gw.model('a')).pid;
    const pidB = (await gw.model('b')).pid!;

    // Invalid: the CLI refuses it first, the supervisor too when asked directly.
    configure(`${modelA}    idleTimeout: 300\n`);
    const cli = await runCli(gw.home, ['reload']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('models.a.idleTimeout');
    expect(cli.stderr).toContain('nothing was changed');
    const refused = await reload().then(
      () => undefined,
      (err: { code?: string; details?: { problems?: Array<{ path: string }> } }) => err,
    );
    expect(refused?.code).toBe('CONFIG_INVALID');
    expect(refused?.details?.problems?.map((p) => p.path)).toContain('models.a.idleTimeout');
    expect((await gw.model('b')).pid).toBe(pidB);
    expect((await postJson(`${url}/v1/chat/completions`, chat('b'))).status).toBe(200);

    const load = steadyStream(url, 'a');
    configure(modelA);
    const out = await runCli(gw.home, ['reload']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('models removed: b');
    await waitUntil(() => !isAlive(pidB), 'the removed model to stop');
    expect((await gw.control().request({ cmd: 'status' })).models.map((m) => m.name)).toEqual([
      'a',
    ]);
    await waitUntil(
      async () => (await postJson(`${url}/v1/chat/completions`, chat('b'))).status === 404,
      'the proxy to stop routing the removed model',
    );
    const statuses = await load.stop();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect((await gw.model('a')).pid).toBe(pidA);
  });

  it('config diff is a dry run; a `proxy --listen` proxy follows the reload', async () => {
    const extraPort = await freePort();
    const extra = startNode(cliMain, ['proxy', '--listen', `127.0.0.1:${extraPort}`], {
      MLX_GATEWAY_HOME: gw.home,
    });
    gw.cleanup.group(extra.pid);
    await extra.waitForLine(/proxy listening on/);
    const extraUrl = `http://127.0.0.1:${extraPort}`;
    expect((await postJson(`${extraUrl}/v1/chat/completions`, chat('c'))).status).toBe(404);

    configure(`${modelA}${modelB(40)}${standinModel('c')}`, '  capacityWait: 30s\n');
    const diff = await runCli(gw.home, ['config', 'diff']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('would change');
    expect(diff.stdout).toContain('models add: c');
    const json = await runCli(gw.home, ['config', 'diff', join(gw.home, 'config.yaml'), '--json']);
    const dry = JSON.parse(json.stdout) as ReloadReport;
    expect(dry.dryRun).toBe(true);
    expect(dry.models.added).toEqual(['c']);
    expect(dry.applied.map((s) => s.path)).toEqual(['supervisor.capacityWait']);
    // Nothing was applied.
    expect((await gw.control().request({ cmd: 'status' })).models.map((m) => m.name)).toEqual([
      'a',
      'b',
    ]);

    const applied = await reload();
    expect(applied.generation).toBe(2);
    await waitUntil(
      async () => (await postJson(`${extraUrl}/v1/chat/completions`, chat('c'))).status === 200,
      'the extra proxy to route the added model',
      20_000,
    );
    expect((await postJson(`${gw.proxy!.url}/v1/chat/completions`, chat('c'))).status).toBe(200);

    // SIGHUP: the extra proxy reads its config again by itself.
    configure(
      `${modelA}${modelB(40)}${standinModel('c')}`,
      `  capacityWait: 30s\nrouting:\n  rules:\n    - { match: '^nick-', model: c }\n`,
    );
    process.kill(extra.pid, 'SIGHUP');
    await extra.waitForLine(/config reloaded \(generation 3\)/);
    expect((await postJson(`${extraUrl}/v1/chat/completions`, chat('nick-c'))).status).toBe(200);
  });
});
