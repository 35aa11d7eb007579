import { describe, expect, it } from 'vitest';
import { environmentAssignment, execWord, systemdUnit } from './systemd-unit.js';

describe('systemd unit escaping', () => {
  it('quotes command words, escaping backslash, quote, % and $', () => {
    expect(execWord('/usr/bin/node')).toBe('"/usr/bin/node"');
    expect(execWord('/a b/"c"\\d 50% $HOME')).toBe('"/a b/\\"c\\"\\\\d 50%% $$HOME"');
  });

  it('quotes an environment assignment whole; $ is not special there', () => {
    expect(environmentAssignment('MLX_GATEWAY_HOME', '/x y/"q" 5% $v')).toBe(
      '"MLX_GATEWAY_HOME=/x y/\\"q\\" 5%% $v"',
    );
  });

  it('refuses a path with a newline instead of writing a broken unit', () => {
    const spec = {
      name: 'mlx-gateway',
      home: '/home/me/bad\nline',
      argv: ['/usr/bin/node', 'up'],
      env: {},
      logFile: '/home/me/bad\nline/logs/service.log',
      description: 'x',
    };
    expect(() => systemdUnit(spec)).toThrow(/control character/);
  });
});
