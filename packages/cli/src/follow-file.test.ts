import {
  appendFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileFollower } from './follow-file.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(content?: string): string {
  dir = mkdtempSync(join(tmpdir(), 'mlx-follow-'));
  const file = join(dir, 'model.log');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

describe('FileFollower', () => {
  it('hands over lines appended after it started, a partial line once it is complete', () => {
    const file = tempFile('old line\n');
    const follower = new FileFollower(file);
    expect(follower.poll()).toEqual([]);
    appendFileSync(file, 'one\ntw');
    expect(follower.poll()).toEqual(['one']);
    appendFileSync(file, 'o\nthree\n');
    expect(follower.poll()).toEqual(['two', 'three']);
  });

  it('keeps a multi-byte character cut between two writes whole', () => {
    const file = tempFile('');
    const follower = new FileFollower(file);
    const bytes = Buffer.from('héllo\n');
    appendFileSync(file, bytes.subarray(0, 2));
    expect(follower.poll()).toEqual([]);
    appendFileSync(file, bytes.subarray(2));
    expect(follower.poll()).toEqual(['héllo']);
  });

  it('waits for a file that does not exist yet, then reads it from the start', () => {
    const file = tempFile();
    const follower = new FileFollower(file);
    expect(follower.poll()).toEqual([]);
    writeFileSync(file, 'first\n');
    expect(follower.poll()).toEqual(['first']);
  });

  it('starts again at the beginning of a rotated or truncated file', () => {
    const file = tempFile('a\n');
    const follower = new FileFollower(file);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'new run\n');
    expect(follower.poll()).toEqual(['new run']);
    truncateSync(file, 0);
    appendFileSync(file, 'x\n');
    expect(follower.poll()).toEqual(['x']);
  });
});
