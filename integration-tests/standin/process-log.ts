// The process's output, in the real server's two voices: application lines in a loguru-like
// format and uvicorn lines (`INFO:     ...`) on stderr, access lines on stdout.
import { appendFileSync } from 'node:fs';

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface ProcessLog {
  /** An application line: `2025-01-31 12:00:00 | INFO     | message`. */
  app(level: Level, message: string): void;
  /** A uvicorn line: `INFO:     message`. */
  uvicorn(level: Level, message: string): void;
  /** An access line, already formatted, on stdout. */
  access(line: string): void;
  /** Lines written as they are on stderr (a traceback). */
  raw(lines: readonly string[]): void;
}

export interface ProcessLogOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Also append every line to this file (--log-file, unless --no-log-file). */
  logFile?: string | undefined;
  now?: () => Date;
}

const pad = (value: number): string => String(value).padStart(2, '0');

function timestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function createProcessLog(options: ProcessLogOptions): ProcessLog {
  const now = options.now ?? (() => new Date());
  const emit = (stream: NodeJS.WritableStream, lines: readonly string[]): void => {
    const text = lines.map((line) => `${line}\n`).join('');
    stream.write(text);
    if (options.logFile !== undefined) appendFileSync(options.logFile, text);
  };
  return {
    app: (level, message) =>
      emit(options.stderr, [`${timestamp(now())} | ${level.padEnd(8)} | ${message}`]),
    uvicorn: (level, message) => emit(options.stderr, [`${`${level}:`.padEnd(10)}${message}`]),
    access: (line) => emit(options.stdout, [line]),
    raw: (lines) => emit(options.stderr, lines),
  };
}
