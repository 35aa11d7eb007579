// The stand-in as a real process, the way the supervisor meets mlx-openai-server: closed port
// while loading, CLI refusals, failed starts, signals, and a handler grandchild that outlives a
// SIGKILLed parent.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  isAlive,
  launchStandin,
  processGroupOf,
  waitUntilGone,
  type LaunchStandinOptions,
  type StandinProcess,
} from '../standin/harness.js';

const running: StandinProcess[] = [];
const tempDirs: string[] = [];

async function launch(options: LaunchStandinOptions = {}): Promise<StandinProcess> {
  const standin = await launchStandin(options);
  running.push(standin);
  return standin;
}

afterEach(async () => {
  for (const standin of running.splice(0)) {
    standin.killGroup('SIGKILL');
    await standin.exited;
    await standin.stdioClosed;
  }
});

afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** 'refused' when nothing listens on the port, 'open' when a connection is accepted. */
function probe(port: number): Promise<'refused' | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else reject(error);
    });
  });
}

const READY = /Uvicorn running on http:\/\/127\.0\.0\.1:\d+/;
const SPAWNED = /Spawned handler process for model '.*' \(pid=(\d+)\)/;

function handlerPid(line: string): number {
  const pid = Number(SPAWNED.exec(line)?.[1]);
  if (!Number.isInteger(pid)) throw new Error(`no pid in ${line}`);
  return pid;
}

describe('stand-in process: start-up', () => {
  it('keeps the port closed while loading and answers /health once "Uvicorn running" is printed', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_LOAD_MS: '2500', MLX_STANDIN_PROGRESS_MS: '100' },
    });
    await standin.waitForLine(SPAWNED);
    expect(await probe(standin.port)).toBe('refused');
    await standin.waitForLine(/Waiting for handler process to load model/);
    expect(await probe(standin.port)).toBe('refused');

    const ready = await standin.waitForLine(READY);
    expect(ready).toContain(`http://127.0.0.1:${standin.port}`);
    const health = await fetch(`http://127.0.0.1:${standin.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      model_id: 'mlx-community/standin-model',
      model_status: 'initialized',
    });

    const lines = standin.lines();
    const at = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
    const order = [
      /MLX Server v[\d.]+ Starting/,
      /Model Path: mlx-community\/standin-model/,
      /Model Type: lm/,
      /Host: 127\.0\.0\.1/,
      new RegExp(`Port: ${standin.port}`),
      SPAWNED,
      /Waiting for handler process to load model/,
      /Model 'mlx-community\/standin-model' spawned and registered successfully/,
      /Application startup complete\./,
      READY,
    ].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('serves the --served-model-name and writes --log-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-'));
    tempDirs.push(dir);
    const logFile = join(dir, 'app.log');
    const port = await freePort();
    const standin = await launch({
      port,
      args: [
        '--model-path',
        '/models/qwen-7b',
        '--served-model-name',
        'qwen',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--log-file',
        logFile,
      ],
    });
    await standin.waitForLine(READY);
    const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((model) => model.id)).toEqual(['qwen']);
    expect(readFileSync(logFile, 'utf8')).toMatch(
      /Model Path: \/models\/qwen-7b[\s\S]*Uvicorn running/,
    );
  });

  it('exits 2 with "unrecognized arguments" for the removed --max-concurrency flag', async () => {
    const standin = await launch({
      args: ['--model-path', 'm', '--host', '127.0.0.1', '--max-concurrency', '4'],
    });
    expect(await standin.exited).toEqual({ code: 2, signal: null });
    await standin.stdioClosed;
    const output = standin.lines().join('\n');
    expect(output).toMatch(/^usage: mlx-openai-server/m);
    expect(output).toContain('error: unrecognized arguments: --max-concurrency 4');
    expect(output).not.toContain('MLX Server');
  });

  it('exits 1 with a bind error when the port is taken after loading', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const standin = await launch({ port, env: { MLX_STANDIN_LOAD_MS: '0' } });
      expect((await standin.exited).code).toBe(1);
      await standin.stdioClosed;
      expect(standin.lines().join('\n')).toMatch(
        new RegExp(
          `error while attempting to bind on address \\('127\\.0\\.0\\.1', ${port}\\): address already in use`,
        ),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('stand-in process: failed starts', () => {
  it('crash-during-load prints a traceback and exits 1 without opening the port', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_FAIL: 'crash-during-load', MLX_STANDIN_LOAD_MS: '400' },
    });
    expect(await standin.exited).toEqual({ code: 1, signal: null });
    await standin.stdioClosed;
    const output = standin.lines().join('\n');
    expect(output).toContain('Traceback (most recent call last):');
    expect(output).toMatch(/^RuntimeError: /m);
    expect(output).not.toMatch(READY);
  });

  it('exit0-after-error logs "Failed to load model" and still exits 0', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_FAIL: 'exit0-after-error', MLX_STANDIN_LOAD_MS: '200' },
    });
    expect(await standin.exited).toEqual({ code: 0, signal: null });
    await standin.stdioClosed;
    const output = standin.lines().join('\n');
    expect(output).toMatch(/\| ERROR +\| Failed to load model 'mlx-community\/standin-model'/);
    expect(output).not.toMatch(READY);
  });

  it('never-ready keeps beating without ever opening the port, and SIGTERM still stops it', async () => {
    const standin = await launch({
      env: {
        MLX_STANDIN_FAIL: 'never-ready',
        MLX_STANDIN_LOAD_MS: '10',
        MLX_STANDIN_PROGRESS_MS: '40',
      },
    });
    await standin.waitForLines(/Waiting for handler process to load model/, 5);
    expect(await probe(standin.port)).toBe('refused');
    expect(standin.lines().join('\n')).not.toMatch(READY);
    standin.child.kill('SIGTERM');
    expect(await standin.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a malformed MLX_STANDIN_* variable with exit 1 naming it', async () => {
    const standin = await launch({ env: { MLX_STANDIN_STREAM: 'sometimes' } });
    expect((await standin.exited).code).toBe(1);
    await standin.stdioClosed;
    expect(standin.lines().join('\n')).toContain('MLX_STANDIN_STREAM');
  });
});

describe('stand-in process: signals', () => {
  it('exits 0 promptly on SIGTERM even with a slow stream in flight', async () => {
    const standin = await launch({ env: { MLX_STANDIN_LOAD_MS: '0' } });
    await standin.waitForLine(READY);
    const res = await fetch(`http://127.0.0.1:${standin.port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-standin-token-ms': '60000' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'slow' }] }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    standin.child.kill('SIGTERM');
    expect(await standin.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(3000);
    const drained = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })().catch(() => 'broken');
    expect(await drained).toBe('broken');
    await standin.stdioClosed;
    expect(standin.lines().join('\n')).toMatch(/Finished server process \[\d+\]/);
  });

  it('logs and ignores SIGTERM when MLX_STANDIN_IGNORE_SIGTERM=1, and dies on SIGKILL', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_LOAD_MS: '0', MLX_STANDIN_IGNORE_SIGTERM: '1' },
    });
    await standin.waitForLine(READY);
    standin.child.kill('SIGTERM');
    await standin.waitForLine(/Received SIGTERM; ignoring it/);
    const health = await fetch(`http://127.0.0.1:${standin.port}/health`);
    expect(health.status).toBe(200);
    expect(isAlive(standin.pid)).toBe(true);
    standin.child.kill('SIGKILL');
    expect(await standin.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('stand-in process: handler grandchild', () => {
  it('runs the handler in the same process group; it survives a SIGKILLed parent until the group is killed', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_LOAD_MS: '0', MLX_STANDIN_GRANDCHILD: '1' },
    });
    const grandchild = handlerPid(await standin.waitForLine(SPAWNED));
    await standin.waitForLine(READY);
    expect(grandchild).not.toBe(standin.pid);
    expect(processGroupOf(standin.pid)).toBe(standin.pid);
    expect(processGroupOf(grandchild)).toBe(standin.pid);

    let stdioClosed = false;
    void standin.stdioClosed.then(() => {
      stdioClosed = true;
    });
    process.kill(standin.pid, 'SIGKILL');
    expect(await standin.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isAlive(grandchild)).toBe(true);
    // The orphan still holds the inherited stdout/stderr, as Python's handler process does.
    expect(stdioClosed).toBe(false);

    standin.killGroup('SIGKILL');
    await standin.stdioClosed;
    await waitUntilGone(grandchild);
  });

  it('stops the grandchild when the parent exits on SIGTERM', async () => {
    const standin = await launch({
      env: { MLX_STANDIN_LOAD_MS: '0', MLX_STANDIN_GRANDCHILD: '1' },
    });
    const grandchild = handlerPid(await standin.waitForLine(SPAWNED));
    await standin.waitForLine(READY);
    standin.child.kill('SIGTERM');
    expect(await standin.exited).toEqual({ code: 0, signal: null });
    await standin.stdioClosed;
    await waitUntilGone(grandchild);
  });

  it('with IGNORE_SIGTERM the whole group survives a group SIGTERM and dies on a group SIGKILL', async () => {
    const standin = await launch({
      env: {
        MLX_STANDIN_LOAD_MS: '0',
        MLX_STANDIN_GRANDCHILD: '1',
        MLX_STANDIN_IGNORE_SIGTERM: '1',
      },
    });
    const grandchild = handlerPid(await standin.waitForLine(SPAWNED));
    await standin.waitForLine(READY);
    standin.killGroup('SIGTERM');
    await standin.waitForLine(/Received SIGTERM; ignoring it/);
    await standin.waitForLine(new RegExp(`handler process ${grandchild}: SIGTERM ignored`));
    expect(isAlive(standin.pid)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
    standin.killGroup('SIGKILL');
    expect((await standin.exited).signal).toBe('SIGKILL');
    await standin.stdioClosed;
    await waitUntilGone(grandchild);
  });
});
