import { pino, type DestinationStream } from 'pino';

/** Lines are written in chunks of at least this many bytes... */
export const STDOUT_BUFFER_BYTES = 4096;
/** ...or when this much time has passed since a line was buffered. */
export const STDOUT_FLUSH_EVERY_MS = 100;

/**
 * Standard output (or another open file descriptor `fd`) with a write buffer: one `write` system call per 4 KB of lines instead of
 * one per line, the rest written by a timer at most 100 ms later. pino flushes what is left
 * synchronously when the process exits (exit, beforeExit), and `logger.flush(cb)` writes it
 * before calling back. The timer is unref'd: it never keeps a process alive.
 */
export function bufferedStdout(fd = 1): DestinationStream {
  const stream = pino.destination({ dest: fd, sync: false, minLength: STDOUT_BUFFER_BYTES });
  // Bytes handed to the stream and bytes it has written: the timer flushes only when they
  // differ, so an idle process makes no system calls, and a flush that found a write in
  // progress (which leaves what came after it buffered) is tried again on the next tick.
  let buffered = 0;
  let written = 0;
  stream.on('write', (n: number) => {
    written += n;
  });
  const write = stream.write.bind(stream);
  stream.write = (data: string): boolean => {
    buffered += Buffer.byteLength(data);
    return write(data);
  };
  const timer = setInterval(() => {
    if (buffered > written) stream.flush();
  }, STDOUT_FLUSH_EVERY_MS);
  timer.unref();
  stream.on('close', () => clearInterval(timer));
  return stream;
}
