import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfig } from './compile-config.js';
import { ConfigError } from './config-error.js';

const HOME = '/tmp/gw-home';
const compileYaml = (text: string) =>
  compileConfig(parse(text), { home: HOME, file: 'config.yaml', env: { HOME: '/Users/me' } });

function problemsOf(text: string): string {
  try {
    compileYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config: audit and metrics sections', () => {
  it('compiles human values and resolves the directory', () => {
    const config = compileYaml(`
audit:
  enabled: false
  dir: ~/gw-audit
  maxFileSize: 10MB
  retainDays: 3
  capture: { models: [qwen], clients: [ci], maxBytes: 4KiB }
  stream: { maxLength: 5000 }
metrics: { tokensByClient: true }
`);
    expect(config.audit).toEqual({
      enabled: false,
      dir: '/Users/me/gw-audit',
      maxFileSizeBytes: 10_000_000,
      retainDays: 3,
      capture: { models: ['qwen'], clients: ['ci'], maxBytes: 4096 },
      stream: { enabled: true, maxLength: 5000 },
    });
    expect(config.metrics).toEqual({ enabled: true, tokensByClient: true });
  });

  it('takes a relative directory from the home directory', () => {
    expect(compileYaml('audit: { dir: logs/audit }').audit?.dir).toBe(`${HOME}/logs/audit`);
  });

  it('names the key path and the bad value of every mistake', () => {
    const message = problemsOf(`
audit:
  retainDays: 0
  maxFileSize: lots
  capture: { model: [qwen] }
  stream: { maxLength: 10 }
metrics: { tokensByClients: true }
`);
    expect(message).toMatch(/audit\.retainDays/);
    expect(message).toMatch(/audit\.maxFileSize/);
    expect(message).toMatch(/audit\.capture\.model\b.*did you mean "models"/);
    expect(message).toMatch(/audit\.stream\.maxLength/);
    expect(message).toMatch(/metrics\.tokensByClients.*did you mean "tokensByClient"/);
  });
});
