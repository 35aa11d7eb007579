import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempHome } from '../support/processes.js';

const dirs: string[] = [];
function home(): string {
  const d = tempHome();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes `name` in a fresh folder (not the gateway home) and returns its path. */
function file(dir: string, name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

const ENV = { PATH: '/usr/bin:/bin' };

describe('mlx-gateway config check', () => {
  it('takes the file as an argument and lists every problem in one run', async () => {
    const dir = home();
    const path = file(
      dir,
      'my.yaml',
      `listen: 127.0.0.1:9100
supervisor:
  ports: { gateway: 9000-9200, operator: 9300-9400 }
  stopGrace: ten
models:
  qwen:
    modelPath: m/q
    idleTimeout: 300
    fallbacks: [nope]
`,
    );
    const result = await runCli(dir, ['config', 'check', path], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${path}: 4 problems, all listed; fix them and check again:
  supervisor.stopGrace: expected a duration like "10m" or "30s" (got "ten")
  listen: port 9100 is inside supervisor.ports.gateway (9000-9200), which model servers use (got 9100)
  models.qwen.idleTimeout: expected a duration like "10m" or "30s"; a number needs a unit: "300s" (5m)? "300ms"? (got 300)
  models.qwen.fallbacks[0]: "nope" is not a configured model
`,
    );
  });

  it("keeps the gateway's own hints whole while the key itself is masked", async () => {
    const dir = home();
    const path = file(
      dir,
      'keys.yaml',
      'models:\n  gpt:\n    backend: openai\n    apiKey: sk-abcdefghijklmnopqrstuvwxyz123456\n',
    );
    const result = await runCli(dir, ['config', 'check', path], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `${path}: 1 problem, all listed; fix it and check again:
  models.gpt.apiKey: API keys must not be written in the config file; store it with \`mlx-gateway keys set OPENAI_API_KEY\` and write \`apiKey: \${secret:OPENAI_API_KEY}\` (or \`apiKey: \${env:OPENAI_API_KEY}\` to read an environment variable) (got "sk-…(redacted)")
`,
    );
  });

  it('prints a short summary by default and the compiled form with --verbose', async () => {
    const dir = home();
    const path = file(
      dir,
      'ok.yaml',
      `models:
  qwen-7b: { modelPath: m/qwen, command: [/bin/true], aliases: [qwen], idleTimeout: 5m }
  gpt: { backend: openai, apiKey: '\${env:CHECK_TEST_KEY}', fallbacks: [qwen] }
routing:
  rules:
    - { match: '^qwen-(7|7b)$', model: qwen-7b }
`,
    );
    const env = { ...ENV, CHECK_TEST_KEY: 'sk-test-value-0000000000000000' };
    const result = await runCli(dir, ['config', 'check', path], { env });
    expect(result).toEqual({
      code: 0,
      stdout: `config OK: ${path}
  listen: http://127.0.0.1:8080
  models (2):
    qwen-7b (local, mlx-openai-server m/qwen; aliases qwen)
    gpt (openai gpt; falls back to qwen-7b)
  routes:
    /^qwen-(7|7b)$/ → qwen-7b
  secret references (values never shown):
    models.gpt.apiKey: \${env:CHECK_TEST_KEY} (set)
`,
      stderr: '',
    });
    const verbose = await runCli(dir, ['config', 'check', path, '--verbose'], { env });
    expect(verbose.stdout.startsWith(result.stdout)).toBe(true);
    expect(verbose.stdout).toContain('compiled:\n');
    expect(verbose.stdout).toContain('idleTimeoutMs: 300000');
    expect(verbose.stdout).not.toContain('sk-test-value');
  });

  it('warns about what will fail at start or at the first request', async () => {
    const dir = home();
    const path = file(
      dir,
      'warn.yaml',
      `listen: 0.0.0.0:18080
models:
  local: { modelPath: m/l, command: [mlx-openai-server-not-installed] }
  gpt: { backend: openai, apiKey: '\${env:CHECK_UNSET_KEY}' }
`,
    );
    const result = await runCli(dir, ['config', 'check', path], { env: ENV });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `warnings (3):
  - listen: 0.0.0.0:18080 is not loopback and there are no client keys: \`mlx-gateway up\` will refuse to start; create one with \`mlx-gateway keys create-client NAME\` or listen on 127.0.0.1
  - models.local.command: "mlx-openai-server-not-installed" is not on PATH: the model will fail to start; install it, or set \`command:\` to its full path
  - models.gpt.apiKey: environment variable CHECK_UNSET_KEY is not set here: requests that need it will fail; export it before \`mlx-gateway up\`, or store the key with \`mlx-gateway keys set CHECK_UNSET_KEY\` and write \${secret:CHECK_UNSET_KEY}
`,
    );
  });

  it('says how to make a file that does not exist', async () => {
    const dir = home();
    const path = join(dir, 'nope.yaml');
    const result = await runCli(dir, ['config', 'check', path], { env: ENV });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `${path}: file not found; write a starter config there with \`mlx-gateway init --config ${path}\`\n`,
    });
  });

  it('checks the example config shipped with the project', async () => {
    const dir = home();
    const example = join(import.meta.dirname, '../../config.example.yaml');
    const result = await runCli(dir, ['config', 'check', example], { env: ENV });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('config OK: ');
  });
});
