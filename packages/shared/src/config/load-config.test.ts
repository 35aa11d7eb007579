import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function loadError(options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the defaults with no models when the default file does not exist', () => {
    const config = loadConfig({ home: dir, env: {} });
    expect(config.models).toEqual([]);
    expect(config.home).toBe(dir);
    expect(config.file).toBeUndefined();
    expect(config.supervisor.controlEndpoint).toBe(`ipc://${join(dir, 'run', 'control.sock')}`);
  });

  it('reads <home>/config.yaml, with home from MLX_GATEWAY_HOME', () => {
    const file = write('config.yaml', 'listen: 127.0.0.1:9999\nmodels:\n  q: { modelPath: m/q }\n');
    const config = loadConfig({ env: { MLX_GATEWAY_HOME: dir } });
    expect(config.home).toBe(dir);
    expect(config.file).toBe(file);
    expect(config.proxy.port).toBe(9999);
    expect(config.models.map((m) => m.name)).toEqual(['q']);
  });

  it('reads an explicitly named file', () => {
    const file = write('other.yaml', 'proxy: { heartbeat: 3s }\n');
    expect(loadConfig({ file, home: dir, env: {} }).proxy.heartbeatMs).toBe(3_000);
  });

  it('refuses an explicitly named file that does not exist', () => {
    const file = join(dir, 'missing.yaml');
    const err = loadError({ file, home: dir, env: {} });
    expect(err.message).toBe(`${file}: file not found`);
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it('refuses a directory', () => {
    const sub = join(dir, 'conf.d');
    mkdirSync(sub);
    expect(loadError({ file: sub, home: dir, env: {} }).message).toBe(
      `${sub}: is a directory, not a file`,
    );
  });

  it('names the file in every problem', () => {
    const file = write(
      'config.yaml',
      'models:\n  qwen:\n    modelPath: m/q\n    idleTimeout: ten minutes\n',
    );
    expect(loadError({ file, home: dir, env: {} }).message).toBe(
      `${file}: models.qwen.idleTimeout: expected a duration like "10m" or "30s" (got "ten minutes")`,
    );
  });

  it('reports YAML syntax errors with line and column, keys masked', () => {
    const file = write('config.yaml', 'models:\n  g:\n    apiKey: "sk-abcdefghijklmnopqrstu\n');
    const err = loadError({ file, home: dir, env: {} });
    expect(err.message).toMatch(new RegExp(`^${file}: line \\d+, column \\d+: `));
    expect(err.message).not.toContain('abcdefghijklmnop');
  });

  it('refuses duplicate keys, which YAML would otherwise let the last one win', () => {
    const file = write(
      'config.yaml',
      'models:\n  q: { modelPath: m/a }\n  q: { modelPath: m/b }\n',
    );
    expect(loadError({ file, home: dir, env: {} }).message).toBe(
      `${file}: line 3, column 3: Map keys must be unique`,
    );
  });

  it('supports YAML anchors and merge keys for shared settings', () => {
    const file = write(
      'config.yaml',
      [
        'models:',
        '  base: &mlx { modelPath: m/base, idleTimeout: 2m }',
        '  other:',
        '    <<: *mlx',
        '    modelPath: m/other',
        '',
      ].join('\n'),
    );
    const [, other] = loadConfig({ file, home: dir, env: {} }).models;
    expect(other).toMatchObject({ modelPath: 'm/other', idleTimeoutMs: 120_000 });
  });

  it('keeps ${env:...} and ${secret:...} as references: nothing is resolved at load', () => {
    const file = write(
      'config.yaml',
      'models:\n  g: { backend: openai, apiKey: "${env:MY_OPENAI_KEY}" }\n  c: { backend: anthropic, apiKey: "${secret:CLAUDE}" }\n',
    );
    const config = loadConfig({
      file,
      home: dir,
      env: { MY_OPENAI_KEY: 'sk-live-value-that-must-not-appear' },
    });
    expect(config.models.map((m) => (m.kind === 'remote' ? m.apiKey : undefined))).toEqual([
      { kind: 'env', name: 'MY_OPENAI_KEY' },
      { kind: 'store', name: 'CLAUDE' },
    ]);
    expect(JSON.stringify(config)).not.toContain('sk-live-value');
  });

  it('treats an empty file as the defaults', () => {
    const file = write('config.yaml', '# nothing yet\n');
    expect(loadConfig({ file, home: dir, env: {} }).models).toEqual([]);
  });

  it('accepts config.example.yaml, whose top sections show the built-in defaults', () => {
    const file = fileURLToPath(new URL('../../../../config.example.yaml', import.meta.url));
    const example = loadConfig({ file, home: dir, env: {} });
    const defaults = loadConfig({ home: dir, env: {} });
    expect(example.models.map((m) => m.name)).toEqual([
      'qwen-7b',
      'llama',
      'gpt-4o',
      'claude-sonnet',
    ]);
    expect(example.proxy).toEqual(defaults.proxy);
    expect(example.supervisor).toEqual(defaults.supervisor);
    const [qwen] = example.models;
    expect(qwen?.timeouts).toEqual({
      connectMs: 5_000,
      firstByteMs: 900_000,
      idleMs: 300_000,
      totalMs: 900_000,
    });
  });
});
