import {
  closeSync,
  writeSync,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';

const MARKER = '=== mlx-gateway: start ';
const ROTATE_BYTES = 20 * 1024 * 1024;
const TAIL_BYTES = 64 * 1024;

/**
 * The log file of one model. Children write their stdout and stderr straight into it (a file,
 * not a pipe: a child whose supervisor died must not die of SIGPIPE, so that it can be adopted),
 * and the supervisor reads its tail for failure reasons and the `logs` command.
 */
export class ModelLog {
  readonly path: string;

  constructor(logsDir: string, model: string) {
    this.path = join(logsDir, `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
  }

  /** Marks the start of a new run (rotating a large file first); returns a descriptor for the child, which the caller closes. */
  openForRun(run: number, argv: string[], now: Date): number {
    if (existsSync(this.path) && statSync(this.path).size > ROTATE_BYTES)
      renameSync(this.path, `${this.path}.1`);
    const fd = openSync(this.path, 'a', 0o600);
    writeSync(fd, `\n${MARKER}run ${run} at ${now.toISOString()}: ${argv.join(' ')}\n`);
    return fd;
  }

  /** The last lines written since the most recent start marker (or of the whole file). */
  tail(lines: number, sinceLastStart = true): string[] {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      let all = buf.toString('utf8').split('\n');
      if (length < size) all = all.slice(1); // first line is probably cut
      if (sinceLastStart) {
        const at = all.findLastIndex((l) => l.startsWith(MARKER));
        if (at >= 0) all = all.slice(at + 1);
      }
      while (all.length > 0 && all[all.length - 1] === '') all.pop();
      return all.slice(-lines);
    } finally {
      closeSync(fd);
    }
  }
}
