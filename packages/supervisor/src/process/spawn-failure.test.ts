import { describe, expect, it } from 'vitest';
import { explainSpawnFailure } from './spawn-failure.js';

const enoent = (command: string) => ({
  code: 'ENOENT',
  syscall: `spawn ${command}`,
  path: command,
  message: `spawn ${command} ENOENT`,
});

describe('explainSpawnFailure', () => {
  it('names the command, the PATH searched and how to install mlx-openai-server', () => {
    expect(explainSpawnFailure(enoent('mlx-openai-server'), 'qwen', '/usr/bin:/bin')).toBe(
      'the command "mlx-openai-server" was not found on PATH (searched /usr/bin, /bin); ' +
        'install mlx-openai-server (`pip install mlx-openai-server`) where the gateway can find it, ' +
        'or set `command:` in models.qwen to its full path, for example `command: [/opt/homebrew/bin/mlx-openai-server]`',
    );
  });

  it('says a path that does not exist, and how to fix another command', () => {
    expect(explainSpawnFailure(enoent('/opt/llama/server'), 'llama', '/bin')).toBe(
      'the command "/opt/llama/server" was not found (no such executable file); install it, or set `command:` in models.llama to its full path, for example `command: [/opt/homebrew/bin/server]`',
    );
  });

  it('says when PATH is empty', () => {
    expect(explainSpawnFailure(enoent('llama-server'), 'llama', '')).toContain(
      'searched nothing: PATH is empty',
    );
  });

  it('keeps the message of other failures', () => {
    expect(explainSpawnFailure({ message: 'no free port' }, 'm')).toBe('no free port');
  });
});
