import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoPointerFile, readDemoPointer, writeDemoPointer } from './demo-pointer.js';
import { chooseHome } from './home-selection.js';

let dir: string;
const saved = { TMPDIR: process.env['TMPDIR'], HOME: process.env['HOME'] };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlx-home-choice-'));
  // os.tmpdir() and os.homedir() read these at each call.
  process.env['TMPDIR'] = join(dir);
  process.env['HOME'] = join(dir);
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo pointer', () => {
  it('is read while its up runs, and removed by it', () => {
    const remove = writeDemoPointer({ home: '/demo/home', pid: process.pid });
    expect(readDemoPointer()).toEqual({ home: '/demo/home', pid: process.pid });
    remove();
    expect(readDemoPointer()).toBeUndefined();
  });

  it('is ignored when its up is gone or when it is a link', () => {
    writeFileSync(demoPointerFile(), JSON.stringify({ home: '/x', pid: 2 ** 22 + 12345 }));
    expect(readDemoPointer()).toBeUndefined();
    rmSync(demoPointerFile());
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, JSON.stringify({ home: '/x', pid: process.pid }));
    symlinkSync(elsewhere, demoPointerFile());
    expect(readDemoPointer()).toBeUndefined();
  });
});

describe('chooseHome', () => {
  const env = {};

  it('uses a running demo for commands that look at the gateway, not for those that write a home', () => {
    writeDemoPointer({ home: '/demo/home', pid: process.pid });
    expect(chooseHome('status', {}, env)).toMatchObject({ home: '/demo/home' });
    expect(chooseHome('set', {}, env)).toEqual({});
    expect(chooseHome('status', { config: '/etc/gw.yaml' }, env)).toEqual({});
    expect(chooseHome('status', {}, { MLX_GATEWAY_HOME: '/mine' })).toEqual({});
    expect(chooseHome('set', { demo: true }, env)).toEqual({ home: '/demo/home' });
  });

  it('keeps ~/.mlx-gateway when it has a config, and says when --demo finds no demo', () => {
    expect(() => chooseHome('status', { demo: true }, env)).toThrow(/no demo is running/);
    expect(chooseHome('status', {}, env)).toEqual({});
    writeDemoPointer({ home: '/demo/home', pid: process.pid });
    mkdirSync(join(dir, '.mlx-gateway'));
    writeFileSync(join(dir, '.mlx-gateway', 'config.yaml'), 'models: {}\n');
    expect(chooseHome('status', {}, env)).toEqual({});
  });
});
