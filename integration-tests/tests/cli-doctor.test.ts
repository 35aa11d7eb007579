import { once } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { freePort, portRanges, writeConfig } from '../support/processes.js';

let gw: TestGateway;
let held: Server | undefined;
afterEach(async () => {
  held?.close();
  held = undefined;
  await gw.stop();
});

interface Report {
  ok: boolean;
  findings: Array<{ check: string; status: string; message: string; fix: string | null }>;
}

/**
 * A fake mlx-openai-server on PATH: `--version` prints `version`, `launch --help` lists the
 * launch flags given (as argparse does), anything else fails.
 */
function fakeServer(version: string, flags: string[]): string {
  const bin = join(gw.home, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  const file = join(bin, 'mlx-openai-server');
  const usage = flags.map((f) => `[${f} X]`).join(' ');
  writeFileSync(
    file,
    `#!/bin/sh
if [ "$1" = "--version" ]; then echo "mlx-openai-server, version ${version}"; exit 0; fi
if [ "$1" = "launch" ] && [ "$2" = "--help" ]; then
  echo "usage: mlx-openai-server launch [-h] ${usage}"
  exit 0
fi
echo "unexpected: $*" >&2
exit 2
`,
    { mode: 0o755 },
  );
  return bin;
}

const LAUNCH_FLAGS = ['--model-path', '--model-type', '--port', '--host', '--tool-call-parser'];

async function configure(port: number, args = '[--tool-call-parser, qwen3]'): Promise<void> {
  writeConfig(
    gw.home,
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
models:
  qwen:
    backend: mlx-openai-server
    modelPath: mlx-community/qwen-4bit
    args: ${args}
`,
  );
}

async function doctor(
  bin?: string,
): Promise<{ code: number | null; report: Report; text: string }> {
  const env = { PATH: bin ? `${bin}:/usr/bin:/bin` : '/usr/bin:/bin' };
  const json = await runCli(gw.home, ['doctor', '--json'], { env });
  const text = await runCli(gw.home, ['doctor'], { env });
  expect(text.code).toBe(json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as Report, text: text.stdout };
}

const failed = (r: Report) => r.findings.filter((f) => f.status === 'fail');

describe('mlx-gateway doctor', () => {
  it('passes a sound setup (exit 0), each check named', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    const { code, report, text } = await doctor(fakeServer('1.8.2', LAUNCH_FLAGS));
    expect(failed(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(new Set(report.findings.map((f) => f.check))).toEqual(
      new Set(['home', 'config', 'model-server', 'ports', 'supervisor', 'secrets']),
    );
    expect(report.findings.find((f) => f.check === 'model-server')?.message).toContain(
      'mlx-openai-server 1.8.2 takes every flag qwen passes',
    );
    // Not running is worth knowing, not broken.
    expect(report.findings.find((f) => f.check === 'supervisor')).toMatchObject({
      status: 'warn',
      fix: 'start the gateway with `mlx-gateway up`',
    });
    expect(text).toMatch(/\nno problems \(\d warnings?\)\.\n$/);
  });

  it('fails an mlx-openai-server older than 1.7, with the upgrade', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    const { code, report, text } = await doctor(fakeServer('1.6.3', LAUNCH_FLAGS));
    expect(code).toBe(1);
    expect(failed(report)).toEqual([
      expect.objectContaining({
        check: 'model-server',
        message: expect.stringContaining('is version 1.6.3, older than 1.7.0'),
        fix: 'upgrade it: `pip install -U mlx-openai-server`',
      }),
    ]);
    expect(text).toContain('FAIL  model-server');
    expect(text).toContain('fix: upgrade it: `pip install -U mlx-openai-server`');
  });

  it('fails a flag the installed version does not take, naming the model', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    const lacking = LAUNCH_FLAGS.filter((f) => f !== '--tool-call-parser');
    const { report } = await doctor(fakeServer('1.8.0', lacking));
    expect(failed(report)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          'the installed mlx-openai-server 1.8.0 has no --tool-call-parser (models.qwen passes it',
        ),
        fix: 'remove --tool-call-parser from models.qwen.args, or upgrade mlx-openai-server',
      }),
    ]);
  });

  it('fails when mlx-openai-server is not on PATH, with where it looked', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    const { report } = await doctor();
    expect(failed(report)).toEqual([
      expect.objectContaining({
        check: 'model-server',
        message: 'mlx-openai-server (mlx-openai-server) for qwen is not found',
        fix: expect.stringContaining('not found on PATH (searched /usr/bin, /bin)'),
      }),
    ]);
  });

  it('fails a listen port another program holds, naming it', async () => {
    gw = new TestGateway();
    held = createServer();
    held.listen(0, '127.0.0.1');
    await once(held, 'listening');
    const port = (held.address() as { port: number }).port;
    await configure(port);
    const { code, report } = await doctor(fakeServer('1.8.2', LAUNCH_FLAGS));
    expect(code).toBe(1);
    expect(failed(report)).toEqual([
      expect.objectContaining({
        check: 'ports',
        message: expect.stringMatching(
          new RegExp(
            `^127\\.0\\.0\\.1:${port} \\(listen\\) is already in use by pid ${process.pid}`,
          ),
        ),
      }),
    ]);
  });

  it('fails a home and files other users can open, with the chmod', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    chmodSync(gw.home, 0o777);
    writeFileSync(join(gw.home, 'clients.json'), '{"clients":[]}\n', { mode: 0o644 });
    chmodSync(join(gw.home, 'clients.json'), 0o644);
    const { code, report } = await doctor(fakeServer('1.8.2', LAUNCH_FLAGS));
    expect(code).toBe(1);
    expect(failed(report).map((f) => f.fix)).toEqual([
      `chmod 700 ${gw.home}`,
      `chmod 600 ${join(gw.home, 'clients.json')}`,
    ]);
  });

  it('fails an invalid config with every key path, and skips what needs it', async () => {
    gw = new TestGateway();
    writeConfig(
      gw.home,
      'listen: 127.0.0.1:notaport\nmodels:\n  qwen: { modelPath: m/q, idleTimeout: soon }\n',
    );
    const { code, report } = await doctor();
    expect(code).toBe(1);
    const [config] = failed(report);
    expect(config).toMatchObject({ check: 'config' });
    expect(config!.message).toContain('models.qwen.idleTimeout');
    expect(config!.message).toContain('listen');
    expect(report.findings.map((f) => f.check)).not.toContain('ports');
  });

  it('fails a config that passes --max-concurrency (removed in mlx-openai-server 1.7)', async () => {
    gw = new TestGateway();
    await configure(await freePort(), '[--max-concurrency, 4]');
    const { code, report } = await doctor(fakeServer('1.8.2', LAUNCH_FLAGS));
    expect(code).toBe(1);
    expect(failed(report)).toEqual([
      expect.objectContaining({
        check: 'config',
        message: expect.stringContaining(
          'models.qwen.args[0]: --max-concurrency was removed in mlx-openai-server v1.7',
        ),
      }),
    ]);
  });

  it('finds a running supervisor reachable', async () => {
    gw = new TestGateway();
    await configure(await freePort());
    const supervisor = await gw.startSupervisor();
    const { report } = await doctor(fakeServer('1.8.2', LAUNCH_FLAGS));
    expect(report.findings.find((f) => f.check === 'supervisor')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining(`(pid ${supervisor.pid})`),
    });
    // Its control socket is not open to other users.
    expect(report.findings.filter((f) => f.check === 'home')).toEqual([
      expect.objectContaining({ status: 'ok' }),
    ]);
  });
});
