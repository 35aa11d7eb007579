import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STDOUT_BUFFER_BYTES, STDOUT_FLUSH_EVERY_MS, bufferedStdout } from './buffered-stdout.js';
import { createLogger } from './create-logger.js';

let dir: string;
let fd: number;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mgw-buffered-'));
  file = join(dir, 'out.log');
  fd = openSync(file, 'w');
});
afterEach(async () => {
  closeSync(fd);
  await rm(dir, { recursive: true, force: true });
});

/** Waits (with a deadline, polling the file) until `check` holds for its content. */
async function fileUntil(check: (text: string) => boolean, deadlineMs = 2_000): Promise<string> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const text = readFileSync(file, 'utf8');
    if (check(text)) return text;
    if (Date.now() > end) throw new Error(`file content never matched: ${JSON.stringify(text)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('bufferedStdout', () => {
  it('holds short lines back and writes them on its timer', async () => {
    const stream = bufferedStdout(fd);
    const started = Date.now();
    stream.write('{"msg":"one"}\n');
    stream.write('{"msg":"two"}\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    const text = await fileUntil((t) => t.length > 0);
    expect(text).toBe('{"msg":"one"}\n{"msg":"two"}\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(STDOUT_FLUSH_EVERY_MS - 10);
  });

  it('writes as soon as a buffer’s worth of lines is waiting', async () => {
    const stream = bufferedStdout(fd);
    const line = `${JSON.stringify({ msg: 'x'.repeat(200) })}\n`;
    const count = Math.ceil(STDOUT_BUFFER_BYTES / line.length) + 1;
    for (let i = 0; i < count; i++) stream.write(line);
    const text = await fileUntil((t) => t.length >= STDOUT_BUFFER_BYTES, STDOUT_FLUSH_EVERY_MS / 2);
    expect(text.startsWith(line)).toBe(true);
    // The rest follows on the timer.
    await fileUntil((t) => t.length === count * line.length);
  });

  it('writes every line of a logger on logger.flush, before calling back', async () => {
    const log = createLogger({ name: 'test', destination: bufferedStdout(fd) });
    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2]);
  });
});
