import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** How much of the end of a file is read to find the last lines (a log can be gigabytes). */
const TAIL_BYTES = 4 * 1024 * 1024;

/** The last `count` lines of a file, reading at most its last 4 MB; undefined when it does not exist. */
export function tailFile(file: string, count: number): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // A cut first line is partial: drop it unless the whole file was read.
    if (length < size) lines.shift();
    return lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}
