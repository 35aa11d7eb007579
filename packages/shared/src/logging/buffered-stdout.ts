import { pino, type DestinationStream } from 'pino';

/** Lines are written in chunks of at least this many characters... */
export const STDOUT_BUFFER_BYTES = 16_384;
/** ...or when this much time has passed since a line was buffered. */
export const STDOUT_FLUSH_EVERY_MS = 100;

/**
 * Standard output (or another open file descriptor `fd`) with a write buffer: one `write`
 * system call per 16 KB of lines instead of one per line, the rest written by a timer at most
 * 100 ms later. pino flushes what is left synchronously when the process exits (exit,
 * beforeExit), and `logger.flush(cb)` writes it before calling back. The timer is unref'd: it
 * never keeps a process alive, and an idle process makes no system calls.
 *
 * Lines wait in an array of their own and reach pino's SonicBoom as one joined chunk: handed
 * line by line, SonicBoom appends each to a growing string and measures that string's UTF-8
 * length on every call, which cost more than writing the line.
 */
export function bufferedStdout(fd = 1): DestinationStream {
  // minLength 1: SonicBoom writes each chunk it gets at once, or right after the write in
  // progress; and, unlike with 0, its flush(cb) waits for the writes under way before calling
  // back.
  const stream = pino.destination({ dest: fd, sync: false, minLength: 1 });
  let pending: string[] = [];
  let pendingChars = 0;

  const write = stream.write.bind(stream);
  const handOver = (): void => {
    if (pending.length === 0) return;
    const chunk = pending.length === 1 ? (pending[0] as string) : pending.join('');
    pending = [];
    pendingChars = 0;
    write(chunk);
  };
  stream.write = (line: string): boolean => {
    pending.push(line);
    pendingChars += line.length;
    if (pendingChars >= STDOUT_BUFFER_BYTES) handOver();
    return true;
  };

  // Whatever writes out what SonicBoom holds (logger.flush, pino's exit handler, end) first
  // hands over what is still waiting here.
  const flush = stream.flush.bind(stream);
  stream.flush = (cb?: (err?: Error) => void): void => {
    handOver();
    flush(cb);
  };
  const flushSync = stream.flushSync.bind(stream);
  stream.flushSync = (): void => {
    handOver();
    flushSync();
  };
  const end = stream.end.bind(stream);
  stream.end = (): void => {
    handOver();
    end();
  };

  const timer = setInterval(handOver, STDOUT_FLUSH_EVERY_MS);
  timer.unref();
  stream.on('close', () => clearInterval(timer));
  return stream;
}
