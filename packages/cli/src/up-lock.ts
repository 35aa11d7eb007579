import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UpLock {
  /** Records where this `up` serves, for the message a second `up` prints. */
  describe(url: string): void;
  release(): void;
}

interface LockRecord {
  pid: number;
  url?: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One `up` per gateway home: `<home>/run/up.pid` holds the pid (and URL) of the `up` that runs.
 * A second `up` is refused with where the first one serves; a file left by an `up` that died
 * (its pid no longer runs) is taken over.
 */
export function acquireUpLock(runDir: string): UpLock {
  const file = join(runDir, 'up.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid }), { flag: 'wx', mode: 0o600 });
      return {
        describe: (url) =>
          writeFileSync(file, JSON.stringify({ pid: process.pid, url }), { mode: 0o600 }),
        release: () => {
          if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLock(file);
      if (held && held.pid !== process.pid && isRunning(held.pid)) {
        throw new Error(
          `mlx-gateway up is already running (pid ${held.pid}${held.url ? `, listening on ${held.url}` : ''}); ` +
            'use that one, or stop it first (Ctrl-C in its terminal, or `kill ' +
            `${held.pid}\`)`,
        );
      }
      rmSync(file, { force: true }); // left by an `up` that is gone
    }
  }
  throw new Error(`could not take ${file}; another mlx-gateway up is starting`);
}
