import { pathDirectories } from './command-on-path.js';
import { findPortHolder } from './port-holder.js';

/** What `spawn X ENOENT` means and how to fix it, for the model it happened to. */
export function explainMissingCommand(command: string, model?: string): string {
  const dirs = pathDirectories(process.env['PATH']);
  const where = model ? `models.${model}` : 'the model';
  const searched = command.includes('/')
    ? 'no such executable file'
    : `not found on PATH (searched ${dirs.length > 0 ? dirs.join(', ') : 'nothing: PATH is empty'})`;
  return (
    `the command "${command}" was ${searched}; install it, or set \`command:\` in ${where} ` +
    `to its full path, for example \`command: [/opt/homebrew/bin/${command.split('/').pop() ?? command}]\``
  );
}

/** Rewrites a raw `spawn X ENOENT` inside a message (a model's failure reason) into the fix. */
export function explainSpawnText(text: string, model?: string): string {
  return text.replace(/spawn (\S+) ENOENT/, (_m, command: string) =>
    explainMissingCommand(command, model),
  );
}

/** `listen EADDRINUSE`: which address, who holds it (when this user can see), what to do. */
export function explainAddressInUse(host: string, port: number): string {
  const holder = findPortHolder(port);
  const by = holder
    ? ` by pid ${holder.pid}${holder.command ? ` (${holder.command.slice(0, 120)})` : ''}`
    : ' by another program';
  return (
    `cannot listen on ${host}:${port}: the address is already in use${by}; stop it, ` +
    `or choose another port with \`mlx-gateway up --port N\` or \`listen:\` in the config`
  );
}

interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

/**
 * A one-line cause and fix for the raw system errors a user can meet; undefined for others
 * (their message is shown as it is).
 */
export function explainError(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as SystemError;
  if (e.code === 'EADDRINUSE' && e.port !== undefined) {
    return explainAddressInUse(e.address ?? '127.0.0.1', e.port);
  }
  if (e.code === 'ENOENT' && e.syscall?.startsWith('spawn') && e.path) {
    return explainMissingCommand(e.path);
  }
  if (e.code === 'EACCES' && e.syscall === 'listen' && e.port !== undefined) {
    return `cannot listen on ${e.address ?? ''}:${e.port}: permission denied (ports below 1024 need privileges); choose a port of 1024 or more`;
  }
  return undefined;
}
