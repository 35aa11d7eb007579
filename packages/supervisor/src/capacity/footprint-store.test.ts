import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalModelConfig } from '@mlx-gateway/shared/config';
import { FootprintStore } from './footprint-store.js';
import { ModelFootprints } from './model-footprints.js';

const dirs: string[] = [];
function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'footprints-'));
  dirs.push(dir);
  return join(dir, 'footprints.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('footprint store', () => {
  it('keeps the peak of a run, replaces it with the next run, and survives a restart', () => {
    const path = file();
    const store = new FootprintStore(path);
    store.record('qwen', 1, 100, 10);
    store.record('qwen', 1, 300, 20);
    store.record('qwen', 1, 200, 30);
    expect(store.get('qwen')).toEqual({ bytes: 300, at: 20 });
    store.record('qwen', 2, 250, 40);
    expect(store.get('qwen')).toEqual({ bytes: 250, at: 40 });
    store.record('qwen', 2, 0, 50); // a group already gone: no measurement
    expect(store.get('qwen')).toEqual({ bytes: 250, at: 40 });

    const next = new FootprintStore(path);
    expect(next.get('qwen')).toEqual({ bytes: 250, at: 40 });
    // The next supervisor counts runs from 1 again: its first figure replaces the old one.
    next.record('qwen', 1, 120, 60);
    expect(new FootprintStore(path).get('qwen')).toEqual({ bytes: 120, at: 60 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      models: { qwen: { bytes: 120, at: 60 } },
    });
  });

  it('starts empty from a missing or broken file, and ignores bad entries', () => {
    const path = file();
    expect(new FootprintStore(path).get('x')).toBeUndefined();
    writeFileSync(path, '{not json');
    expect(new FootprintStore(path).get('x')).toBeUndefined();
    writeFileSync(
      path,
      JSON.stringify({ version: 1, models: { a: { bytes: -1, at: 1 }, b: { bytes: 5, at: 2 } } }),
    );
    const store = new FootprintStore(path);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toEqual({ bytes: 5, at: 2 });
  });

  it('reports a file it cannot write and keeps the figure in memory', () => {
    const errors: Error[] = [];
    const store = new FootprintStore('/nonexistent-dir/footprints.json', (e) => errors.push(e));
    store.record('a', 1, 10, 1);
    expect(store.get('a')).toEqual({ bytes: 10, at: 1 });
    expect(errors).toHaveLength(1);
  });
});

describe('model footprints', () => {
  const model = (name: string, extra: Partial<LocalModelConfig> = {}) =>
    ({ name, env: {}, ...extra }) as LocalModelConfig;

  it('measured wins over the hint, the hint over the disk estimate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weights-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'w.safetensors'), Buffer.alloc(2_000));
    const footprints = new ModelFootprints(new FootprintStore(file()));
    await footprints.configure([
      model('disk', { modelPath: dir }),
      model('hinted', { modelPath: dir, memoryHintBytes: 5_000 }),
      model('unknown', { modelPath: join(dir, 'missing') }),
    ]);
    expect(footprints.of('disk')).toEqual({ bytes: 2_000, source: 'estimate' });
    expect(footprints.of('hinted')).toEqual({ bytes: 5_000, source: 'hint' });
    expect(footprints.of('unknown')).toBeUndefined();
    footprints.record('hinted', 1, 7_000, 1);
    footprints.record('unknown', 1, 3_000, 1);
    expect(footprints.of('hinted')).toEqual({ bytes: 7_000, source: 'measured' });
    expect(footprints.of('unknown')).toEqual({ bytes: 3_000, source: 'measured' });
  });
});
