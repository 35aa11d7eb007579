import { describe, expect, it } from 'vitest';
import { checkConfigText } from './config-validate.js';

const context = { home: '/tmp/mgw-dashboard-config-test', file: 'config.yaml', env: {} };

describe('config validation with lines', () => {
  it('puts each problem at the line of its key', () => {
    const text = [
      'listen: 127.0.0.1:8080', // 1
      'models:', // 2
      '  qwen2.5:', // 3
      '    backend: mlx-openai-server', // 4
      '    modelPath: x/y', // 5
      '    idleTimeout: ten minutes', // 6
      '  other:', // 7
      '    backend: mlx-openai-server', // 8
      '    modelPath: a/b', // 9
      '    aliases: [ok, 7]', // 10
    ].join('\n');
    const check = checkConfigText(text, context);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const byPath = new Map(check.problems.map((p) => [p.path, p]));
    expect(byPath.get('models.qwen2.5.idleTimeout')?.line).toBe(6);
    expect(byPath.get('models.qwen2.5.idleTimeout')?.message).toContain('duration');
    const alias = check.problems.find((p) => p.path.startsWith('models.other.aliases'));
    expect(alias?.line).toBe(10);
  });

  it('gives a syntax error its line', () => {
    const check = checkConfigText('listen: [\nmodels: {\n', context);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems[0]?.line).toBeGreaterThan(0);
  });

  it('accepts a valid config', () => {
    const check = checkConfigText('listen: 127.0.0.1:9000\n', context);
    expect(check.ok).toBe(true);
  });
});
