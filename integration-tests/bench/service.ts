import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A benchmark process: a server writing its output to a log file, in its own process group. */
export interface Service {
  name: string;
  pid: number;
  /** The first capture group of the `ready` pattern (the URL it listens on). */
  url: string;
  logFile: string;
  /** SIGTERM, then SIGKILL to the whole group if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceOptions {
  name: string;
  /** Node arguments: flags, then the script and its arguments. */
  nodeArgs: string[];
  env?: Record<string, string>;
  logFile: string;
  /** A line of its output saying it is ready, with the URL as first group. */
  ready: RegExp;
  timeoutMs?: number;
}

function waitForPattern(
  child: ChildProcess,
  file: string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const output = readFileSync(file, 'utf8');
      const match = pattern.exec(output);
      if (match) return resolve(match[1] ?? '');
      const tail = output.split('\n').slice(-20).join('\n');
      if (child.exitCode !== null || child.signalCode !== null) {
        return reject(
          new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${tail}`),
        );
      }
      if (Date.now() > deadline) {
        return reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${tail}`));
      }
      setTimeout(check, 20);
    };
    check();
  });
}

/** Starts `node <nodeArgs>` with its stdout and stderr in `logFile` and waits until it is ready. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, options.nodeArgs, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...options.env },
  });
  closeSync(fd);
  const exited = once(child, 'exit');
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  try {
    const url = await waitForPattern(
      child,
      options.logFile,
      options.ready,
      options.timeoutMs ?? 20_000,
    );
    return { name: options.name, pid: child.pid as number, url, logFile: options.logFile, stop };
  } catch (err) {
    await stop(0);
    throw err;
  }
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is missing. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return undefined;
  }
}
