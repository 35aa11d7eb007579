import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { Cleanup, tempHome } from '../support/processes.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

function home(config = ''): string {
  const dir = tempHome();
  cleanup.dir(dir);
  if (config) writeFileSync(join(dir, 'config.yaml'), config);
  return dir;
}

const CONFIG = `models:
  gpt:
    backend: openai
    apiKey: \${secret:OPENAI_KEY}
  other:
    backend: openai-compatible
    url: https://llm.example.com/v1
    apiKey: \${env:OTHER_KEY}
  third:
    backend: openai-compatible
    url: https://llm.example.com/v1
    apiKey: \${secret:NOT_STORED}
`;

describe('mlx-gateway keys', () => {
  it('refuses a key given on the command line, without repeating it, and stores nothing', async () => {
    const dir = home(CONFIG);
    const value = 'sk-argv-0123456789abcdefghijklmnop';
    for (const args of [
      ['keys', 'set', 'OPENAI_KEY', value],
      ['keys', 'set', 'OPENAI_KEY', `--value=${value}`],
      ['keys', 'set', 'OPENAI_KEY', '--value', value],
    ]) {
      const result = await runCli(dir, args, { input: `${value}\n` });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('never from the command line');
      expect(result.stderr).toContain('printenv NAME | mlx-gateway keys set NAME');
      expect(result.stdout + result.stderr).not.toContain(value);
    }
    const list = await runCli(dir, ['keys', 'list']);
    expect(list.stdout).toMatch(
      /\$\{secret:OPENAI_KEY\}\s+MISSING: not stored\s+models\.gpt\.apiKey/,
    );
  });

  it('stores from stdin and lists names, places and references, never values', async () => {
    const dir = home(CONFIG);
    const value = 'sk-stdin-0123456789abcdefghijklmnop';
    const set = await runCli(dir, ['keys', 'set', 'OPENAI_KEY'], { input: `${value}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(
      `stored OPENAI_KEY in the encrypted file ${join(dir, 'secrets.enc')}`,
    );
    expect(set.stdout).toContain('used by models.gpt.apiKey');
    expect(readFileSync(join(dir, 'secrets.enc'), 'utf8')).not.toContain(value);

    const list = await runCli(dir, ['keys', 'list'], {
      env: { OTHER_KEY: 'sk-env-value-000000000000000000' },
    });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`secret store: the encrypted file ${join(dir, 'secrets.enc')}`);
    expect(list.stdout).toMatch(/\$\{secret:OPENAI_KEY\}\s+encrypted-file\s+models\.gpt\.apiKey/);
    expect(list.stdout).toMatch(/\$\{env:OTHER_KEY\}\s+environment: set\s+models\.other\.apiKey/);
    expect(list.stdout).toMatch(
      /\$\{secret:NOT_STORED\}\s+MISSING: not stored\s+models\.third\.apiKey/,
    );
    expect(list.stdout).not.toContain(value);
    expect(list.stdout).not.toContain('sk-env-value');

    const check = await runCli(dir, ['config', 'check'], {
      env: { OTHER_KEY: 'sk-env-value-000000000000000000' },
    });
    expect(check.stdout).toContain('apiKey: ${secret:OPENAI_KEY} (stored in encrypted-file)');
    expect(check.stdout).toContain('apiKey: ${env:OTHER_KEY} (set)');
    expect(check.stdout).not.toContain('sk-env-value');
    const unset = await runCli(dir, ['config', 'check'], { env: { OTHER_KEY: '' } });
    expect(unset.stdout).toContain('apiKey: ${env:OTHER_KEY} (unset)');

    const rm = await runCli(dir, ['keys', 'rm', 'OPENAI_KEY']);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toContain(
      'the config still refers to ${secret:OPENAI_KEY} at models.gpt.apiKey',
    );
    expect((await runCli(dir, ['keys', 'rm', 'OPENAI_KEY'])).code).toBe(1);
  });

  it('issues a client key once, lists clients without keys, and revokes them', async () => {
    const dir = home(CONFIG);
    const created = await runCli(dir, ['keys', 'create-client', 'ci', '--models', 'gpt,nope']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^mgw-[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown once');
    expect(created.stderr).toContain('warning: not configured models: nope');
    expect(readFileSync(join(dir, 'clients.json'), 'utf8')).not.toContain(key);

    const list = await runCli(dir, ['keys', 'list-clients']);
    expect(list.stdout).toMatch(new RegExp(`ci\\s+${key.slice(0, 5)}…\\s+gpt, nope`));
    expect(list.stdout).not.toContain(key);

    expect((await runCli(dir, ['keys', 'create-client', 'ci'])).stderr).toContain('already exists');
    expect((await runCli(dir, ['keys', 'rm-client', 'ci'])).stdout).toContain(
      'revoked client key "ci"',
    );
    expect((await runCli(dir, ['keys', 'rm-client', 'ci'])).code).toBe(1);
  });
});
