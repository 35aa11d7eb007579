import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskBytes, estimateFromDisk, huggingFaceHubDir } from './footprint-estimate.js';

const dirs: string[] = [];
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'footprint-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const file = (path: string, bytes: number) => writeFileSync(path, Buffer.alloc(bytes));

/** A Hugging Face hub cache entry: blobs, and snapshots made of symlinks to them. */
function hubEntry(hub: string, repo: string, snapshots: Record<string, Record<string, number>>) {
  const root = join(hub, `models--${repo.replace('/', '--')}`);
  mkdirSync(join(root, 'blobs'), { recursive: true });
  let t = 1_000_000;
  for (const [rev, files] of Object.entries(snapshots)) {
    const snap = join(root, 'snapshots', rev);
    mkdirSync(snap, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) {
      const blob = join(root, 'blobs', `${rev}-${name}`);
      file(blob, bytes);
      symlinkSync(blob, join(snap, name));
    }
    utimesSync(snap, t, t);
    t += 1_000;
  }
  return root;
}

describe('footprint estimate from disk', () => {
  it('sums the files of a local model directory, nested ones included', async () => {
    const dir = temp();
    file(join(dir, 'model-00001.safetensors'), 3_000);
    file(join(dir, 'model-00002.safetensors'), 2_000);
    mkdirSync(join(dir, 'tokenizer'));
    file(join(dir, 'tokenizer', 'tokenizer.json'), 500);
    expect(await diskBytes(dir)).toBe(5_500);
    expect(await estimateFromDisk({ modelPath: dir, env: {} })).toBe(5_500);
  });

  it('counts a file reached through two links once', async () => {
    const dir = temp();
    file(join(dir, 'weights'), 1_000);
    symlinkSync(join(dir, 'weights'), join(dir, 'alias'));
    expect(await diskBytes(dir)).toBe(1_000);
  });

  it('knows nothing about a path that does not exist or holds no file', async () => {
    const dir = temp();
    expect(await estimateFromDisk({ modelPath: join(dir, 'missing'), env: {} })).toBeUndefined();
    mkdirSync(join(dir, 'empty'));
    expect(await diskBytes(join(dir, 'empty'))).toBeUndefined();
  });

  it('reads a repo id from the Hugging Face cache: the latest snapshot, its links followed', async () => {
    const hfHome = temp();
    hubEntry(join(hfHome, 'hub'), 'mlx-community/Qwen-4bit', {
      old: { 'model.safetensors': 9_000 },
      main: { 'model.safetensors': 4_000, 'config.json': 100 },
    });
    const env = { HF_HOME: hfHome };
    expect(await estimateFromDisk({ modelPath: 'mlx-community/Qwen-4bit', env: {} }, env)).toBe(
      4_100,
    );
    expect(await estimateFromDisk({ modelPath: 'mlx-community/Other', env: {} }, env)).toBe(
      undefined,
    );
  });

  it("takes the model's own env over the supervisor's, and HF_HUB_CACHE over HF_HOME", async () => {
    const hub = temp();
    hubEntry(hub, 'org/name', { main: { w: 777 } });
    const model = { modelPath: 'org/name', env: { HF_HUB_CACHE: hub } };
    expect(await estimateFromDisk(model, { HF_HOME: '/nonexistent' })).toBe(777);
    expect(huggingFaceHubDir({ HF_HOME: '/h' })).toBe('/h/hub');
    expect(huggingFaceHubDir({ HOME: '/u' })).toBe('/u/.cache/huggingface/hub');
    expect(huggingFaceHubDir({ HOME: '/u', XDG_CACHE_HOME: '/x' })).toBe('/x/huggingface/hub');
  });

  it('has no estimate for a model without a modelPath (a command model)', async () => {
    expect(await estimateFromDisk({ env: {} })).toBeUndefined();
  });
});
