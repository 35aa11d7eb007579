import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath, pathDirectories } from './command-on-path.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('findOnPath', () => {
  it('finds the first executable of that name, as a spawn without a shell would', () => {
    const [a, b] = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'mlxgw-path-')));
    dirs.push(a!, b!);
    writeFileSync(join(a!, 'tool'), 'not executable');
    writeFileSync(join(b!, 'tool'), '#!/bin/sh\n');
    chmodSync(join(b!, 'tool'), 0o755);
    expect(findOnPath('tool', `${a}:${b}`)).toBe(join(b!, 'tool'));
    expect(findOnPath('missing-tool', `${a}:${b}`)).toBeUndefined();
    expect(findOnPath(join(b!, 'tool'), '')).toBe(join(b!, 'tool'));
    expect(findOnPath(join(a!, 'tool'), '')).toBeUndefined();
  });

  it('lists PATH folders once each, empty entries left out', () => {
    expect(pathDirectories('/a::/b:/a')).toEqual(['/a', '/b']);
    expect(pathDirectories(undefined)).toEqual([]);
  });
});
