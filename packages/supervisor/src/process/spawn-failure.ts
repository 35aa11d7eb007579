import { delimiter } from 'node:path';

interface SpawnError {
  code?: string;
  syscall?: string;
  path?: string;
  message?: string;
}

/**
 * Why a model's command could not be started, in words a user can act on. A raw
 * `spawn mlx-openai-server ENOENT` names neither the PATH that was searched nor the fix; this
 * says which command, where it was looked for and how to set `command:` or install the server.
 * Other failures keep their own message.
 */
export function explainSpawnFailure(
  err: SpawnError,
  model: string,
  path: string | undefined = process.env['PATH'],
): string {
  const command = err.path;
  if (command === undefined || !err.syscall?.startsWith('spawn')) return err.message ?? String(err);
  if (err.code === 'EACCES') {
    return `the command "${command}" of models.${model} is not executable; fix its permissions, or set \`command:\` to the right program`;
  }
  if (err.code !== 'ENOENT') return err.message ?? String(err);
  const dirs = (path ?? '').split(delimiter).filter((d) => d !== '');
  const searched = command.includes('/')
    ? 'not found (no such executable file)'
    : `not found on PATH (searched ${dirs.length > 0 ? dirs.join(', ') : 'nothing: PATH is empty'})`;
  const base = command.split('/').pop() ?? command;
  const install =
    base === 'mlx-openai-server'
      ? 'install mlx-openai-server (`pip install mlx-openai-server`) where the gateway can find it'
      : 'install it';
  return (
    `the command "${command}" was ${searched}; ${install}, or set \`command:\` in models.${model} ` +
    `to its full path, for example \`command: [/opt/homebrew/bin/${base}]\``
  );
}
