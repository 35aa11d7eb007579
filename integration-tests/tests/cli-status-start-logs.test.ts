import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain, isAlive, standinModel, startNode } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

describe('mlx-gateway status', () => {
  it('shows memory, uptime, the idle countdown and requests in flight; --json has the documented shape', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny', {}, '    idleTimeout: 10m\n') + standinModel('other'));
    await gw.startSupervisor();
    // A start as the gateway (as a request does): its idle timer runs.
    await gw.control().request({ cmd: 'ensure', model: 'tiny' });
    const before = Date.now();

    const json = await runCli(gw.home, ['status', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      version: number;
      models: Array<Record<string, unknown>>;
    };
    expect(doc.version).toBe(1);
    const [tiny, other] = doc.models;
    expect(tiny).toMatchObject({ name: 'tiny', state: 'ready', owner: 'gateway', inFlight: 0 });
    expect(tiny!['pid']).toEqual(expect.any(Number));
    expect(tiny!['uptimeMs']).toEqual(expect.any(Number));
    const idleStopAt = tiny!['idleStopAt'] as number;
    expect(idleStopAt).toBeGreaterThan(before);
    expect(idleStopAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect(tiny!['idleStopInMs']).toBeLessThanOrEqual(600_000);
    // Every key is there for every model, null when it means nothing.
    expect(Object.keys(other!)).toEqual(Object.keys(tiny!));
    expect(other).toMatchObject({ state: 'stopped', pid: null, idleStopAt: null, uptimeMs: null });

    const text = await runCli(gw.home, ['status']);
    const [header, row] = text.stdout.split('\n');
    expect(header).toMatch(
      /^MODEL +STATE +OWNER +PID +PORT +MEMORY +FOOTPRINT +UPTIME +IDLE-STOP +IN-FLIGHT +SINCE +REASON$/,
    );
    // The footprint it is admitted with: measured as it became ready ('-' until that sample
    // is in: a stand-in has no weights on disk to estimate from).
    expect(row).toMatch(
      /^tiny +ready +gateway +\d+ +\d+ +\S+( \S+)? +(-|[\d.]+ \w+ \(measured\)) +\d+s +in 9m[0-9]{2}s +0 /,
    );
  });
});

describe('mlx-gateway start', () => {
  it('shows the elapsed time and the last log line while the model loads, then its row', async () => {
    gw = new TestGateway();
    await gw.configure(
      standinModel('tiny', { MLX_STANDIN_LOAD_MS: 1500, MLX_STANDIN_PROGRESS_MS: 100 }),
    );
    await gw.startSupervisor();
    const result = await runCli(gw.home, ['start', 'tiny']);
    expect(result.code, result.stderr).toBe(0);
    // Not a terminal: plain lines, one per new log line.
    expect(result.stderr).toMatch(/^starting tiny: \d+s {2}.*Waiting for handler process/m);
    expect(result.stdout).toMatch(/\ntiny +ready +operator +\d+/);
  });

  it('returns non-zero with the reason when the model fails to load', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny', { MLX_STANDIN_FAIL: 'crash-during-load' }));
    await gw.startSupervisor();
    const result = await runCli(gw.home, ['start', 'tiny']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mlx-gateway: .*exited with code 1/);
    expect(result.stdout).toBe('');
  });
});

describe('mlx-gateway logs -f', () => {
  it('prints the last lines, then each line written, until Ctrl-C', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const logs = join(gw.home, 'logs');
    mkdirSync(logs, { recursive: true });
    const file = join(logs, 'tiny.log');
    writeFileSync(file, 'one\n');
    const follow = startNode(cliMain, ['logs', 'tiny', '-f'], { MLX_GATEWAY_HOME: gw.home });
    gw.cleanup.group(follow.pid);
    await follow.waitForLine(/^one$/);
    appendFileSync(file, 'two\nthr');
    await follow.waitForLine(/^two$/);
    appendFileSync(file, 'ee\n');
    await follow.waitForLine(/^three$/);
    process.kill(follow.pid, 'SIGINT');
    expect(await follow.exited).toBe(0);
    expect(follow.lines).toEqual(['one', 'two', 'three']);
  });
});

describe('a proxy whose supervisor is gone', () => {
  const chat = { model: 'tiny', messages: [{ role: 'user', content: 'hi' }] };

  it('answers a local model at once with a 503 in the caller’s format, killed or shut down', async () => {
    gw = new TestGateway();
    await gw.configure(standinModel('tiny'));
    const supervisor = await gw.startSupervisor();
    const url = await gw.startProxy();
    expect((await postJson(`${url}/v1/chat/completions`, chat)).status).toBe(200);

    const [child] = gw.children();
    process.kill(supervisor.pid, 'SIGKILL');
    await supervisor.exited;
    // Its lifeline kills the model within a second; until then the model itself still answers.
    await waitUntil(() => !isAlive(child!.pid), 'the model to be killed by the lifeline');
    // The control timeout is 5 s; a request must not wait for it.
    for (const [path, format] of [
      ['/v1/chat/completions', 'openai'],
      ['/v1/messages', 'anthropic'],
    ] as const) {
      const began = performance.now();
      const res = await postJson(`${url}${path}`, { ...chat, max_tokens: 8 });
      const took = performance.now() - began;
      expect(res.status).toBe(503);
      expect(took).toBeLessThan(1_500);
      if (format === 'openai') {
        expect(res.body.error.code).toBe('supervisor_unavailable');
        expect(res.body.error.message).toContain('mlx-gateway up');
      } else {
        expect(res.body.type).toBe('error');
        expect(res.body.error.message).toContain('mlx-gateway up');
      }
    }

    // A new supervisor is found again, and then one shut down gracefully is noticed as well.
    await gw.startSupervisor();
    expect((await postJson(`${url}/v1/chat/completions`, chat)).status).toBe(200);
    expect((await runCli(gw.home, ['down'])).code).toBe(0);
    const began = performance.now();
    const res = await postJson(`${url}/v1/chat/completions`, chat);
    expect(res.status).toBe(503);
    expect(performance.now() - began).toBeLessThan(1_500);
  });
});
