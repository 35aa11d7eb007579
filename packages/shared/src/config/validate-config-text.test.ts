import { describe, expect, it } from 'vitest';
import { parseKeyPath, validateConfigText } from './validate-config-text.js';

describe('validateConfigText', () => {
  it('compiles a valid text', () => {
    const check = validateConfigText('listen: 127.0.0.1:8123\n', { home: '/tmp/gw' });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.config.proxy.port).toBe(8123);
  });

  it('gives every problem with its key path and the line of its value', () => {
    const text = [
      'listen: 127.0.0.1:8080',
      'models:',
      '  qwen:',
      '    backend: mlx-openai-server',
      '    modelPath: mlx-community/Qwen',
      '    idleTimeout: 300',
      '    aliases: [q, 7]',
      '',
    ].join('\n');
    const check = validateConfigText(text, { home: '/tmp/gw', label: 'edited.yaml' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.file).toBe('edited.yaml');
    expect(check.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'models.qwen.idleTimeout', line: 6 }),
        expect.objectContaining({ path: 'models.qwen.aliases[1]', line: 7 }),
      ]),
    );
  });

  it('a YAML syntax error is a problem of the whole text, its line in the message', () => {
    const check = validateConfigText('models:\n  a: [\n', { home: '/tmp/gw' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems[0]?.message).toMatch(/line \d+, column \d+/);
    expect(check.problems[0]?.line).toBeGreaterThan(0);
  });

  it('finds the lines of a model whose name has dots and of a list item', () => {
    const text = [
      'listen: 127.0.0.1:8080', // 1
      'models:', // 2
      '  qwen2.5:', // 3
      '    backend: mlx-openai-server', // 4
      '    modelPath: x/y', // 5
      '    idleTimeout: ten minutes', // 6
      '  other:', // 7
      '    modelPath: a/b', // 8
      '    aliases: [ok, 7]', // 9
      '',
    ].join('\n');
    const check = validateConfigText(text, { home: '/tmp/gw', env: {} });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const byPath = new Map(check.problems.map((p) => [p.path, p]));
    expect(byPath.get('models.qwen2.5.idleTimeout')?.line).toBe(6);
    const alias = check.problems.find((p) => p.path.startsWith('models.other.aliases'));
    expect(alias?.line).toBe(9);
  });
});

describe('parseKeyPath', () => {
  it('reads the paths formatPath writes', () => {
    expect(parseKeyPath('models.qwen.aliases[0]')).toEqual(['models', 'qwen', 'aliases', 0]);
    expect(parseKeyPath('models["my model"].idleTimeout')).toEqual([
      'models',
      'my model',
      'idleTimeout',
    ]);
  });
});
