import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrivateDir } from '@mlx-gateway/shared/paths';

/** The workspace root (the folder holding pnpm-workspace.yaml) this CLI was built in. */
export function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error('the demo needs the mlx-gateway workspace (pnpm-workspace.yaml not found)');
    dir = up;
  }
  return dir;
}

/**
 * Writes (once) a config for the demo: one local model served by the project's stand-in for
 * mlx-openai-server, so that the gateway answers without MLX or any cloud key.
 */
export function prepareDemo(home: string, port: number): string {
  ensurePrivateDir(home);
  const file = join(home, 'config.yaml');
  const standin = join(workspaceRoot(), 'integration-tests', 'dist', 'standin', 'main.js');
  if (!existsSync(standin))
    throw new Error(`the stand-in model server is not built (${standin}); run the bootstrap first`);
  const yaml = `# Written by \`mlx-gateway up --demo\`: one local model served by the stand-in for mlx-openai-server.
listen: 127.0.0.1:${port}
models:
  demo:
    backend: mlx-openai-server
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(standin)}]
    modelPath: mlx-community/demo-model-4bit
    aliases: [default]
    idleTimeout: 10m
    env:
      MLX_STANDIN_LOAD_MS: "1500"
      MLX_STANDIN_TOKEN_MS: "30"
`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== yaml)
    writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}
