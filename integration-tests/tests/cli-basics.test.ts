import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cliMain, repoRoot, tempHome, writeConfig } from '../support/processes.js';

const dirs: string[] = [];
function dir(): string {
  const d = tempHome();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PATH with only the system folders and, when given, a folder of fake commands first. */
function pathWith(...extra: string[]): string {
  return [...extra, '/usr/bin', '/bin'].join(':');
}

describe('mlx-gateway as a command', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(
      readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8'),
    ) as { version: string };
    const result = await runCli(dir(), ['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('is executable as built (a shebang and the x bit)', () => {
    expect(
      readFileSync(cliMain, 'utf8').startsWith(
        '#!/usr/bin/env -S MLX_GATEWAY_USER_MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX} MALLOC_ARENA_MAX=1 node --max-semi-space-size=2\n',
      ),
    ).toBe(true);
    const out = execFileSync(cliMain, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('suggests the command a typo meant', async () => {
    const result = await runCli(dir(), ['strat', 'llama']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: unknown command 'strat'\n(Did you mean start?)\n(add --help for usage)\n",
    );
  });

  it('suggests the model a typo meant, before asking any supervisor', async () => {
    const home = dir();
    const file = writeConfig(home, 'models:\n  llama: { modelPath: m/llama }\n');
    const result = await runCli(home, ['start', 'lama']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `mlx-gateway: model "lama" is not configured in ${file}; did you mean "llama"?\n`,
    );
  });

  it('refuses `up --port abc` with the cause and the fix, and starts nothing', async () => {
    const home = dir();
    const result = await runCli(home, ['up', '--port', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: option '-p, --port <port>' argument 'abc' is invalid. "abc" is not a port; give a whole number from 1 to 65535, for example --port 8080.\n(add --help for usage)\n`,
    );
    expect(existsSync(join(home, 'run'))).toBe(false);
  });

  it('refuses `logs -n abc` with the cause and the fix', async () => {
    const result = await runCli(dir(), ['logs', 'proxy', '-n', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: option '-n, --lines <n>' argument 'abc' is invalid. "abc" is not a number of lines; give a whole number of 1 or more, for example -n 50.\n(add --help for usage)\n`,
    );
  });
});

describe('mlx-gateway completion', () => {
  async function bashCompletions(words: string[]): Promise<string[]> {
    const script = (await runCli(dir(), ['completion', 'bash'])).stdout;
    const file = join(dir(), 'completion.bash');
    writeFileSync(file, script);
    const line = words.map((w) => `'${w}'`).join(' ');
    const out = execFileSync(
      'bash',
      [
        '-c',
        `source '${file}'; COMP_WORDS=(mlx-gateway ${line}); COMP_CWORD=${words.length}; _mlx_gateway; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    return out.split('\n').filter(Boolean);
  }

  it('bash completes commands, subcommands and options, skipping option values', async () => {
    expect(await bashCompletions(['con'])).toEqual(['config']);
    expect(await bashCompletions(['-c', 'my.yaml', 'config', ''])).toEqual([
      'check',
      'diff',
      '-h',
      '--help',
    ]);
    expect(await bashCompletions(['up', '--p'])).toEqual(['--port']);
    expect(await bashCompletions(['completion', ''])).toEqual(['-h', '--help']);
  });

  it('zsh and fish scripts describe the same tree', async () => {
    const zsh = (await runCli(dir(), ['completion', 'zsh'])).stdout;
    expect(zsh.startsWith('#compdef mlx-gateway\n')).toBe(true);
    expect(zsh).toContain(
      `    'config') items=('check:validate the config: every problem at once, a summary and warnings' 'diff:what \`reload\` would change (a dry run: nothing is applied)' '-h:display help' '--help:display help') ;;`,
    );
    const fish = (await runCli(dir(), ['completion', 'fish'])).stdout;
    expect(fish).toContain(
      `complete -c mlx-gateway -f -n '__fish_seen_subcommand_from config; and not __fish_seen_subcommand_from check diff' -a 'check' -d 'validate the config: every problem at once, a summary and warnings'`,
    );
    expect(fish).toContain(
      `complete -c mlx-gateway -n '__fish_seen_subcommand_from up' -s p -l port -r -d 'port to listen on (instead of \`listen:\`)'`,
    );
  });

  it('names the shells it knows for another one', async () => {
    const result = await runCli(dir(), ['completion', 'zssh']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'mlx-gateway: no completion for "zssh"; did you mean "zsh"? (shells: bash, zsh, fish)\n',
    );
  });
});

describe('mlx-gateway init', () => {
  it('writes a commented starter config that checks clean, without mlx-openai-server', async () => {
    const home = dir();
    const result = await runCli(home, ['init'], { env: { PATH: pathWith() } });
    expect(result).toEqual({
      code: 0,
      stdout: `wrote ${join(home, 'config.yaml')}\n  mlx-openai-server is not on PATH: the local model is a comment until it is installed\nnext: \`mlx-gateway config check\`, then \`mlx-gateway up\`\n`,
      stderr: '',
    });
    const text = readFileSync(join(home, 'config.yaml'), 'utf8');
    expect(text).toContain('# qwen-7b:');
    const check = await runCli(home, ['config', 'check']);
    expect(check.stdout).toBe(
      `config OK: ${join(home, 'config.yaml')}\n  listen: http://127.0.0.1:8080\n  models: none yet (add some under \`models:\`)\n`,
    );
  });

  it('sets up a local model when mlx-openai-server is on PATH, and keeps an existing file', async () => {
    const home = dir();
    const bin = mkdtempSync(join(tmpdir(), 'mlxgw-bin-'));
    dirs.push(bin);
    writeFileSync(join(bin, 'mlx-openai-server'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'mlx-openai-server'), 0o755);
    const env = { PATH: pathWith(bin) };
    const result = await runCli(home, ['init'], { env });
    expect(result.stdout).toContain(
      `  found mlx-openai-server at ${join(bin, 'mlx-openai-server')}: model qwen-7b is set up\n`,
    );
    const check = await runCli(home, ['config', 'check'], { env });
    expect(check.stdout).toBe(
      `config OK: ${join(home, 'config.yaml')}\n  listen: http://127.0.0.1:8080\n  models (1):\n    qwen-7b (local, mlx-openai-server mlx-community/Qwen2.5-7B-Instruct-4bit; aliases qwen)\n`,
    );
    const again = await runCli(home, ['init'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `mlx-gateway: ${join(home, 'config.yaml')} already exists; check it with \`mlx-gateway config check\`, or pass --force to replace it\n`,
    );
  });
});
