import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensurePrivateDir, gatewayPaths, resolveHome } from '@mlx-gateway/shared/paths';
import { findOnPath } from '../command-on-path.js';
import { starterConfig } from '../starter-config.js';
import type { GlobalOptions } from './control.js';

/**
 * `mlx-gateway init`: writes a commented starter config to the default place (or `-c FILE`),
 * with a local model when mlx-openai-server is on PATH. An existing file is kept unless
 * `--force`.
 */
export function init(opts: GlobalOptions & { force?: boolean }): void {
  const home = resolveHome();
  const file = resolve(opts.config ?? gatewayPaths(home).config);
  if (existsSync(file) && !opts.force) {
    throw new Error(
      `${file} already exists; check it with \`mlx-gateway config check\`, or pass --force to replace it`,
    );
  }
  const mlxServer = findOnPath('mlx-openai-server');
  // The home is made private; a folder named with -c is the user's and keeps its mode.
  if (opts.config === undefined) ensurePrivateDir(home);
  else mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, starterConfig({ mlxServer, port: 8080 }), { mode: 0o600 });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`wrote ${file}`);
  say(
    mlxServer
      ? `  found mlx-openai-server at ${mlxServer}: model qwen-7b is set up`
      : '  mlx-openai-server is not on PATH: the local model is a comment until it is installed',
  );
  const named = opts.config === undefined ? '' : ` --config ${file}`;
  say(`next: \`mlx-gateway${named} config check\`, then \`mlx-gateway${named} up\``);
}
