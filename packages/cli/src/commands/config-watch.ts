import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { gatewayPaths } from '@mlx-gateway/shared/paths';
import type { GatewayConfig } from '@mlx-gateway/shared/config';

/** Editors write a file in several steps (truncate, write, rename): one reload after the last. */
const SETTLE_MS = 300;

/**
 * `up --watch`: calls `onChange` once the config file was changed and stayed quiet for a moment.
 * The directory is watched, not the file, so that an editor that replaces the file (a new inode)
 * is still seen.
 */
export function watchConfigFile(config: GatewayConfig, onChange: () => void): { close(): void } {
  const file = config.file ?? gatewayPaths(config.home).config;
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, SETTLE_MS);
    });
    watcher.on('error', (err) => {
      process.stderr.write(`--watch stopped: ${err.message}\n`);
    });
  } catch (err) {
    process.stderr.write(`--watch cannot watch ${file}: ${(err as Error).message}\n`);
  }
  return {
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
