import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** The most read in one poll: a burst of output is shown in pieces, never held whole in memory. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Follows a growing log file, as `tail -F` does: each poll reads what was appended since the
 * last one and hands over complete lines. A file that is replaced (a model log rotated to
 * `.1` at a new start) or truncated is read again from its beginning; a file that does not
 * exist yet is waited for. Polling, not fs.watch: watch events are lost on some file systems
 * and across a rename, and a poll every quarter second costs nothing.
 */
export class FileFollower {
  private offset: number;
  private ino?: number;
  private decoder = new StringDecoder('utf8');
  private partial = '';

  /** `from`: the byte offset to start at (the size already shown), default the current end. */
  constructor(
    readonly path: string,
    from?: number,
  ) {
    const stats = statOrUndefined(path);
    this.ino = stats?.ino;
    this.offset = from ?? stats?.size ?? 0;
  }

  /** The complete lines appended since the last poll (a line still being written waits). */
  poll(): string[] {
    const stats = statOrUndefined(this.path);
    if (stats === undefined) return [];
    if (stats.ino !== this.ino || stats.size < this.offset) {
      // Replaced or truncated: the new content starts at 0.
      this.ino = stats.ino;
      this.offset = 0;
      this.partial = '';
      this.decoder = new StringDecoder('utf8');
    }
    if (stats.size === this.offset) return [];
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    let text = '';
    try {
      const end = fstatSync(fd).size;
      while (this.offset < end) {
        const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, end - this.offset));
        const read = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (read === 0) break;
        this.offset += read;
        text += this.decoder.write(buffer.subarray(0, read));
        if (text.length >= CHUNK_BYTES) break;
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines;
  }
}

function statOrUndefined(path: string): { ino: number; size: number } | undefined {
  try {
    const { ino, size } = statSync(path);
    return { ino, size };
  } catch {
    return undefined;
  }
}
