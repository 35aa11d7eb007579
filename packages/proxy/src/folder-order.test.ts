import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';
import type { ICruiseOptions, ICruiseResult, IViolation } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The folder-order check of `pnpm lint` (.dependency-cruiser.mjs at the repository root), run
 * on small trees written for the purpose: it must refuse an upward import, a cycle and a
 * folder without a place in the order, and let a downward import pass.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const config = (
  (await import(pathToFileURL(join(root, '.dependency-cruiser.mjs')).href)) as {
    default: {
      forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
      options: ICruiseOptions;
    };
  }
).default;

let home: string | undefined;
afterEach(async () => {
  if (home !== undefined) await rm(home, { recursive: true, force: true });
  home = undefined;
});

/** Writes `files` (path below packages/proxy/src → source) and returns the check's violations. */
async function violations(files: Record<string, string>): Promise<IViolation[]> {
  home = await mkdtemp(join(tmpdir(), 'folder-order-'));
  for (const [path, source] of Object.entries(files)) {
    const file = join(home, 'packages/proxy/src', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, source);
  }
  const { exclude, doNotFollow, tsPreCompilationDeps } = config.options;
  const options: ICruiseOptions = {
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    baseDir: home,
    tsPreCompilationDeps: tsPreCompilationDeps ?? true,
  };
  if (exclude !== undefined) options.exclude = exclude;
  if (doNotFollow !== undefined) options.doNotFollow = doNotFollow;
  const result = await cruise(['packages/proxy/src'], options, { extensions: ['.ts', '.js'] });
  return (result.output as ICruiseResult).summary.violations;
}

const names = (found: IViolation[]): string[] => found.map((v) => v.rule.name).sort();

describe('the proxy folder order', () => {
  it('lets a folder import the folders below it', async () => {
    const found = await violations({
      'api/endpoint.ts': 'export const path = "/v1/x";\n',
      'backends/backend.ts': "import { path } from '../api/endpoint.js';\nexport const p = path;\n",
      'app.ts': "import { p } from './backends/backend.js';\nexport const q = p;\n",
    });
    expect(found).toEqual([]);
  });

  it('refuses an upward import (api/ importing backends/)', async () => {
    const found = await violations({
      'api/endpoint.ts':
        "import type { Backend } from '../backends/backend.js';\nexport type B = Backend;\n",
      'backends/backend.ts': 'export interface Backend { name: string }\n',
    });
    expect(names(found)).toEqual(['proxy-layer-api']);
    expect(found[0]).toMatchObject({
      from: 'packages/proxy/src/api/endpoint.ts',
      to: 'packages/proxy/src/backends/backend.ts',
    });
  });

  it('refuses a folder importing the entry files above every folder', async () => {
    const found = await violations({
      'routes/route.ts': "import { deps } from '../app.js';\nexport const d = deps;\n",
      'app.ts': 'export const deps = 1;\n',
    });
    expect(names(found)).toEqual(['proxy-layer-routes']);
  });

  it('refuses a cycle between two folders (its upward half)', async () => {
    const found = await violations({
      'backends/registry.ts':
        "import { Inbound } from '../forwarding/inbound.js';\nexport const r = new Inbound();\n",
      'forwarding/inbound.ts':
        "import type { Backend } from '../backends/backend.js';\nexport class Inbound { b?: Backend }\n",
      'backends/backend.ts': 'export interface Backend { name: string }\n',
    });
    expect(names(found)).toEqual(['proxy-layer-backends']);
  });

  it('refuses a cycle between modules of a folder, type imports included', async () => {
    const found = await violations({
      'routes/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'routes/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    });
    expect(names(found)).toEqual(['proxy-no-cycle']);
  });

  it('refuses a folder that has no place in the order', async () => {
    const found = await violations({
      'gadgets/counter.ts': "import { now } from '../clock/clock.js';\nexport const t = now;\n",
      'clock/clock.ts': 'export const now = 0;\n',
    });
    expect(names(found)).toEqual(['proxy-folder-unknown']);
  });
});
