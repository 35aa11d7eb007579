import { InvalidArgumentError } from 'commander';

/**
 * Parsers for option values, run by commander before a command starts: a bad value is refused
 * with its cause and the fix, never passed on to fail deep inside (`options.port should be >= 0
 * and < 65536. Received type number (NaN)`).
 */

/** A TCP port to listen on: a whole number from 1 to 65535. */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      `"${value}" is not a port; give a whole number from 1 to 65535, for example --port 8080.`,
    );
  }
  return port;
}

/** A count of log lines: a whole number, 1 or more. */
export function parseLineCount(value: string): number {
  const count = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError(
      `"${value}" is not a number of lines; give a whole number of 1 or more, for example -n 50.`,
    );
  }
  return count;
}
