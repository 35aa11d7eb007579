import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const supervisorMain = join(repoRoot, 'packages/supervisor/dist/main.js');
export const proxyMain = join(repoRoot, 'packages/proxy/dist/main.js');
export const cliMain = join(repoRoot, 'packages/cli/dist/main.js');
export const standinMain = join(repoRoot, 'integration-tests/dist/standin/main.js');

/** A private temporary gateway home, removed by cleanup(). */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'mlxgw-'));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A port on 127.0.0.1 that nothing listens on, for an upstream that cannot be reached: below
 * 10 000, where neither `listen(0)` (the ephemeral range) nor `portRanges()` hands out ports.
 * A port from `freePort()` would not do: the OS may give it to the next `listen(0)`, such as the
 * proxy's own, which then answers the requests meant to fail.
 */
export async function closedPort(): Promise<number> {
  for (;;) {
    const port = 5_000 + Math.floor(Math.random() * 5_000);
    const server = createServer();
    server.listen(port, '127.0.0.1');
    const ok = await new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
    });
    if (!ok) continue;
    server.close();
    await once(server, 'close');
    return port;
  }
}

/** The lowest port the OS hands out for `listen(0)` (Linux; 32768 elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * YAML for separate gateway (20 ports) and operator (10 ports) ranges. They lie below the OS's
 * ephemeral range, so they can never contain a port that `freePort()` (listen(0)) hands out,
 * such as the proxy's listen port; the base is random so that suites rarely share ports (and
 * the supervisor skips a port something else holds).
 */
export async function portRanges(): Promise<string> {
  const top = ephemeralLow() - 30;
  const base = 10_000 + Math.floor(Math.random() * (top - 10_000));
  return Promise.resolve(`{ gateway: ${base}-${base + 19}, operator: ${base + 20}-${base + 29} }`);
}

export function writeConfig(home: string, yaml: string): string {
  const file = join(home, 'config.yaml');
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

/** YAML for a local model served by the stand-in, with extra env. */
export function standinModel(
  name: string,
  env: Record<string, string | number> = {},
  extra = '',
): string {
  const envLines = Object.entries(env)
    .map(([k, v]) => `      ${k}: "${v}"`)
    .join('\n');
  return `  ${name}:
    backend: mlx-openai-server
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(standinMain)}]
    modelPath: test/${name}
${envLines ? `    env:\n${envLines}\n` : ''}${extra}`;
}

export interface RunningProcess {
  child: ChildProcess;
  pid: number;
  lines: string[];
  /** Resolves with the first output line matching. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Spawns a node program in its own process group, collecting its output lines. */
export function startNode(
  script: string,
  args: string[],
  env: Record<string, string>,
): RunningProcess {
  const child = spawn(process.execPath, [script, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const l of listeners) l(line);
    });
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    pid: child.pid!,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(l);
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.join('\n')}`,
            ),
          );
        }, timeoutMs);
        const l = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          listeners.delete(l);
          resolve(line);
        };
        listeners.add(l);
        void exited.then((code) => {
          if (!listeners.has(l)) return;
          clearTimeout(timer);
          listeners.delete(l);
          reject(
            new Error(
              `process exited with ${code} before a line matching ${pattern}; output:\n${lines.join('\n')}`,
            ),
          );
        });
      });
    },
  };
}

export async function startSupervisor(
  home: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningProcess> {
  const p = startNode(supervisorMain, [], { MLX_GATEWAY_HOME: home, ...extraEnv });
  await p.waitForLine(/supervisor ready/);
  return p;
}

export async function startProxyProcess(home: string): Promise<RunningProcess & { url: string }> {
  const p = startNode(proxyMain, [], { MLX_GATEWAY_HOME: home });
  const line = await p.waitForLine(/proxy listening on (http:\S+)/);
  return { ...p, url: /listening on (http:\S+)/.exec(line)![1]! };
}

/** Kills process groups and removes homes registered during a test. */
export class Cleanup {
  private readonly groups = new Set<number>();
  private readonly dirs = new Set<string>();

  group(pid: number): void {
    this.groups.add(pid);
  }

  dir(path: string): void {
    this.dirs.add(path);
  }

  async run(extraPids: number[] = []): Promise<void> {
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const pid of extraPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.groups.clear();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/** Pids of the model servers a supervisor recorded in its registry. */
export function registeredChildren(
  home: string,
): Array<{ model: string; pid: number; port: number; owner: string }> {
  try {
    return (
      JSON.parse(readFileSync(join(home, 'run', 'children.json'), 'utf8')) as { children: [] }
    ).children;
  } catch {
    return [];
  }
}

/** How many times the supervisor started a model (start markers in its log file). */
export function startCount(home: string, model: string): number {
  try {
    return readFileSync(join(home, 'logs', `${model}.log`), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('=== mlx-gateway: start ')).length;
  } catch {
    return 0;
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
