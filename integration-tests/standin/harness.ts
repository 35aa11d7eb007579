// Helpers to run the stand-in as a real process from tests and benchmarks: a free port, the
// launch in its own process group, waiting on output lines (never on sleeps), group kills.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The compiled entry point (`npx tsc -b integration-tests/standin` builds it). */
export const STANDIN_MAIN =
  basename(dirname(here)) === 'dist'
    ? join(here, 'main.js')
    : join(here, '..', 'dist', 'standin', 'main.js');

/** A port that was free a moment ago: listen on 0, read it, close. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

export interface LaunchStandinOptions {
  /** Arguments after `launch`; default `--model-path <modelPath> --host 127.0.0.1 --port <port>`. */
  args?: string[];
  modelPath?: string;
  /** Default: a fresh free port. */
  port?: number;
  /** MLX_STANDIN_* variables, added to the current environment. */
  env?: Record<string, string>;
}

export interface StandinExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StandinProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Every line printed so far, stdout and stderr, in arrival order. */
  lines(): string[];
  /** Resolves with the first line (past or future) matching `pattern`; rejects if the process
   * exits first or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the first `count` lines matching `pattern`, once that many were printed. */
  waitForLines(pattern: RegExp, count: number, timeoutMs?: number): Promise<string[]>;
  /** Resolves when the process exits. */
  readonly exited: Promise<StandinExit>;
  /** Resolves when stdout and stderr are closed: every process holding them (a grandchild
   * inherits them) has gone. */
  readonly stdioClosed: Promise<void>;
  /** Signals the whole process group; ignores a group that is already gone. */
  killGroup(signal?: NodeJS.Signals): void;
}

/** The lines a child prints on stdout and stderr, and waiting on lines to come. */
interface OutputLines {
  seen: string[];
  /** One per pipe, resolved when it closes. */
  pipes: Promise<void>[];
  waitForLines: StandinProcess['waitForLines'];
}

function watchOutput(child: ChildProcess, exited: Promise<StandinExit>): OutputLines {
  const seen: string[] = [];
  const listeners = new Set<(line: string) => void>();
  const pipes = [child.stdout, child.stderr].map((stream) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        seen.push(line);
        for (const listener of listeners) listener(line);
      }
    });
    return stream ? once(stream, 'close').then(() => undefined) : Promise.resolve();
  });

  const waitForLines = (pattern: RegExp, count: number, timeoutMs = 15_000): Promise<string[]> => {
    const matched = seen.filter((line) => pattern.test(line));
    if (matched.length >= count) return Promise.resolve(matched.slice(0, count));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      const listener = (line: string): void => {
        if (!pattern.test(line)) return;
        matched.push(line);
        if (matched.length < count) return;
        done();
        resolve(matched);
      };
      const fail = (reason: string) => () => {
        done();
        reject(
          new Error(
            `${reason} before ${count} line(s) matched ${pattern}; output:\n${seen.join('\n')}`,
          ),
        );
      };
      const timer = setTimeout(fail(`no line within ${timeoutMs} ms`), timeoutMs);
      listeners.add(listener);
      void exited.then(() => {
        // Output already read is in `seen`; the exit may come before the last pipe data.
        void Promise.all(pipes).then(() => {
          if (listeners.has(listener)) fail('the process exited')();
        });
      });
    });
  };

  return { seen, pipes, waitForLines };
}

/** Launches `node main.js launch ...` as the leader of its own process group, like a supervisor. */
export async function launchStandin(options: LaunchStandinOptions = {}): Promise<StandinProcess> {
  const port = options.port ?? (await freePort());
  const args = options.args ?? [
    '--model-path',
    options.modelPath ?? 'mlx-community/standin-model',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ];
  const child = spawn(process.execPath, [STANDIN_MAIN, 'launch', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  if (child.pid === undefined) throw new Error(`could not start ${STANDIN_MAIN}`);
  const pid = child.pid;
  const exited = new Promise<StandinExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const { seen, pipes, waitForLines } = watchOutput(child, exited);

  return {
    child,
    pid,
    port,
    lines: () => [...seen],
    waitForLine: async (pattern, timeoutMs) => {
      const [line] = await waitForLines(pattern, 1, timeoutMs);
      return line ?? '';
    },
    waitForLines,
    exited,
    stdioClosed: Promise.all(pipes).then(() => undefined),
    killGroup(signal: NodeJS.Signals = 'SIGKILL') {
      try {
        process.kill(-pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
  };
}

/** True while `pid` runs (a zombie, dead but not yet reaped, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
    return state.trim() !== '' && !state.trim().startsWith('Z');
  } catch {
    return false;
  }
}

/** The process group id of `pid`, read with `ps` (works on Linux and macOS). */
export function processGroupOf(pid: number): number {
  const text = execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' });
  return Number.parseInt(text.trim(), 10);
}

/** Waits until `pid` is gone (it may be another process's child, so there is no exit event to
 * wait on); checks every `intervalMs` and rejects after `timeoutMs`. */
export async function waitUntilGone(
  pid: number,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
