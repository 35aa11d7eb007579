#!/usr/bin/env node
// Packs the CLI as one installable tarball, `mlx-gateway-<version>.tgz`:
//   npm install -g ./mlx-gateway-<version>.tgz
// The workspace packages (@mlx-gateway/protocol, shared, supervisor, proxy) are private and not
// on the registry, so they travel inside the tarball as bundled dependencies (their built dist/
// only). Their third-party dependencies are declared by the tarball's package.json, so npm
// installs them from the registry as usual (native ones, zeromq and the keyring, for the
// machine that installs). Run after a build: `pnpm build && node packages/cli/scripts/pack.mjs
// [--out DIR]` (default DIR: the current directory). Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(cliDir, '../..');
const outIndex = process.argv.indexOf('--out');
const outDir = resolve(outIndex > 0 ? process.argv[outIndex + 1] : process.cwd());

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const cli = readJson(join(cliDir, 'package.json'));
const LIBS = ['protocol', 'shared', 'supervisor', 'proxy'];
const libs = LIBS.map((name) => ({ name, dir: join(root, 'packages', name) })).map((lib) => ({
  ...lib,
  pkg: readJson(join(lib.dir, 'package.json')),
}));
const isWorkspace = (name) => name.startsWith('@mlx-gateway/');

/** The lower bound of a range such as ^7.16.0, as numbers, to keep the tighter of two ranges. */
function lowerBound(range) {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(range);
  if (!m) throw new Error(`cannot read the version range "${range}"`);
  return m.slice(1).map(Number);
}
function tighter(name, a, b) {
  const [x, y] = [lowerBound(a), lowerBound(b)];
  if (x[0] !== y[0]) throw new Error(`${name}: ${a} and ${b} name different major versions`);
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i] > y[i] ? a : b;
  return a;
}

// Every third-party dependency of the CLI and the packages it bundles, at the top level.
const dependencies = {};
for (const pkg of [cli, ...libs.map((l) => l.pkg)]) {
  for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
    if (isWorkspace(name)) continue;
    dependencies[name] = dependencies[name] ? tighter(name, dependencies[name], range) : range;
  }
}
for (const { pkg } of libs) dependencies[pkg.name] = pkg.version;

/**
 * A bundled package.json: no dependencies (the tarball's package.json declares them all; npm
 * would otherwise take a bundled package's registry dependencies for part of the bundle and
 * leave their folders empty) and no source condition.
 */
function publishable(pkg) {
  const out = { ...pkg };
  delete out.devDependencies;
  delete out.dependencies;
  delete out.private;
  out.exports = JSON.parse(JSON.stringify(pkg.exports), (key, value) =>
    key === 'source' ? undefined : value,
  );
  return out;
}

const copyDist = (from, to) =>
  cpSync(join(from, 'dist'), join(to, 'dist'), {
    recursive: true,
    filter: (src) => !src.endsWith('.tsbuildinfo') && !/\.test\.(js|d\.ts)(\.map)?$/.test(src),
  });

const stage = mkdtempSync(join(tmpdir(), 'mlx-gateway-pack-'));
try {
  copyDist(cliDir, stage);
  chmodSync(join(stage, 'dist', 'main.js'), 0o755);
  for (const file of ['README.md', 'config.example.yaml'])
    cpSync(join(root, file), join(stage, file));
  for (const lib of libs) {
    const to = join(stage, 'node_modules', '@mlx-gateway', lib.name);
    mkdirSync(to, { recursive: true });
    copyDist(lib.dir, to);
    writeFileSync(join(to, 'package.json'), `${JSON.stringify(publishable(lib.pkg), null, 2)}\n`);
  }
  const manifest = {
    name: 'mlx-gateway',
    version: cli.version,
    description: 'One endpoint in front of local MLX models and cloud LLM APIs',
    type: 'module',
    bin: { 'mlx-gateway': './dist/main.js' },
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist', 'config.example.yaml'],
    engines: readJson(join(root, 'package.json')).engines,
    dependencies,
    bundleDependencies: libs.map((l) => l.pkg.name),
  };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  process.stdout.write(`${join(outDir, packed[0].filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
