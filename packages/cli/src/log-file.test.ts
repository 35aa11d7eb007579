import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tailFile } from './log-file.js';

const dirs: string[] = [];
function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlxgw-tail-'));
  dirs.push(dir);
  const path = join(dir, 'x.log');
  writeFileSync(path, text);
  return path;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('tailFile', () => {
  it('gives the last lines, without the empty one after the final newline', () => {
    expect(tailFile(file('a\nb\nc\n'), 2)).toEqual(['b', 'c']);
    expect(tailFile(file('a\nb'), 5)).toEqual(['a', 'b']);
    expect(tailFile(file(''), 5)).toEqual([]);
  });

  it('reads only the end of a large file and drops the line cut in half', () => {
    const line = 'x'.repeat(1023);
    const lines = Array.from({ length: 5000 }, (_, i) => `${i} ${line}`);
    const tail = tailFile(file(`${lines.join('\n')}\n`), 100_000)!;
    expect(tail.length).toBeLessThan(5000);
    expect(tail.at(-1)).toBe(lines.at(-1));
    expect(lines).toContain(tail[0]);
  });

  it('is undefined for a file that does not exist', () => {
    expect(tailFile(join(tmpdir(), 'mlxgw-no-such-dir', 'x.log'), 5)).toBeUndefined();
  });
});
