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

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * One JSON log line (pino) as people read it: `12:01:02 INFO  model state model=qwen
 * state=ready`. Lines that are not JSON are returned as they are.
 */
export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, pid: _pid, hostname: _host, name: _name, ...rest } = entry;
  const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
  const tag = (LEVELS[level as number] ?? String(level ?? '')).padEnd(5);
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return [when, tag, typeof msg === 'string' ? msg : '', fields].filter(Boolean).join(' ');
}
