import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';

/**
 * What a model that was never measured is admitted with: the size of its weights on disk (a
 * local model path, or its entry in the Hugging Face cache), else nothing known. The weights
 * are what a loaded MLX model holds in memory, so their size is the floor of its footprint.
 */

/** Bytes of the regular files under `path` (followed through symlinks, each file counted once). */
export async function diskBytes(path: string): Promise<number | undefined> {
  const seen = new Set<string>();
  let total = 0;
  let found = false;
  const walk = async (p: string, depth: number): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch {
      return; // a dangling symlink (an incomplete download) or a file gone meanwhile
    }
    if (s.isFile()) {
      const id = `${s.dev}:${s.ino}`;
      if (seen.has(id)) return;
      seen.add(id);
      found = true;
      total += s.size;
      return;
    }
    if (!s.isDirectory() || depth > 8) return;
    let entries: string[];
    try {
      entries = await readdir(p);
    } catch {
      return;
    }
    for (const name of entries) await walk(join(p, name), depth + 1);
  };
  await walk(path, 0);
  return found ? total : undefined;
}

/** The Hugging Face hub cache the model's process would read ($HF_HUB_CACHE, $HF_HOME/hub). */
export function huggingFaceHubDir(env: NodeJS.ProcessEnv): string {
  const hub = env['HF_HUB_CACHE'];
  if (hub) return hub;
  const home = env['HF_HOME'];
  if (home) return join(home, 'hub');
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg || join(env['HOME'] || homedir(), '.cache'), 'huggingface', 'hub');
}

const REPO_ID = /^[\w.-]+\/[\w.-]+$/;

/** `org/name` → `<hub>/models--org--name/snapshots`; undefined for something else. */
export function huggingFaceSnapshots(
  modelPath: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (!REPO_ID.test(modelPath)) return undefined;
  return join(huggingFaceHubDir(env), `models--${modelPath.replace('/', '--')}`, 'snapshots');
}

/**
 * The disk estimate of a local model: its `modelPath` as a directory or file on disk, else as
 * a Hugging Face repo id in the cache (only the snapshots: the blobs of other revisions are
 * not loaded). The model's own `env` wins over the supervisor's environment (HF_HOME).
 */
export async function estimateFromDisk(
  model: Pick<LocalModelConfig, 'modelPath' | 'env'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | undefined> {
  const path = model.modelPath;
  if (path === undefined) return undefined;
  const onDisk = await diskBytes(path);
  if (onDisk !== undefined || isAbsolute(path) || path.startsWith('.')) return onDisk;
  const snapshots = huggingFaceSnapshots(path, { ...env, ...model.env });
  if (snapshots === undefined) return undefined;
  return latestSnapshotBytes(snapshots);
}

/** The size of the most recently written snapshot (the revision a load picks by default). */
async function latestSnapshotBytes(dir: string): Promise<number | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  let latest: { path: string; mtime: number } | undefined;
  for (const name of names) {
    const path = join(dir, name);
    try {
      const s = await stat(path);
      if (s.isDirectory() && (!latest || s.mtimeMs > latest.mtime))
        latest = { path, mtime: s.mtimeMs };
    } catch {
      // gone meanwhile
    }
  }
  return latest ? diskBytes(latest.path) : undefined;
}
