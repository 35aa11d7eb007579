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
    if (!check.ok) expect(check.problems[0]?.message).toMatch(/line \d+, column \d+/);
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
