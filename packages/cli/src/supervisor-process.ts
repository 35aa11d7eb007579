import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import { openSupervisorClient } from './supervisor-client.js';

export interface RunningSupervisor {
  pid: number;
  /** True when this call started it (and so should stop it). */
  startedHere: boolean;
  /** When started here: settles when the supervisor process has exited. */
  exited?: Promise<number | null>;
}

const supervisorMain = () => fileURLToPath(import.meta.resolve('@mlx-gateway/supervisor/main'));

/**
 * V8 flags for the supervisor daemon. Its young generation would otherwise grow to tens of
 * megabytes under a burst of lease traffic and never shrink; capped at 1 MB per semi-space it
 * stays small (the supervisor allocates little per request, so the extra scavenges are cheap).
 * `--no-opt --no-sparkplug`: no optimising and no baseline compiler. The supervisor answers
 * control messages, a few per request; interpreted, it holds about 6.5 MB less resident when
 * idle (no compiled code, none of the compilers' pages of the node binary) for about 30 µs more
 * per `turn.acquire` round trip (docs/benchmarks.md, "Idle memory, this round"). `--jitless`
 * would save 1 MB more but also removes WebAssembly, which Node's fetch needs.
 */
export const SUPERVISOR_NODE_FLAGS = ['--max-semi-space-size=1', '--no-opt', '--no-sparkplug'];

/** Asks the control socket who is there; undefined when nobody answers within the timeout. */
export async function pingSupervisor(
  config: GatewayConfig,
  timeoutMs = 500,
): Promise<{ pid: number } | undefined> {
  const client = await openSupervisorClient(config, timeoutMs);
  try {
    return await client.request({ cmd: 'ping' });
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/**
 * Starts the supervisor daemon unless one already answers on the control socket. The daemon runs
 * in its own process group with its output in <home>/logs/supervisor.log, so that it outlives a
 * terminal's Ctrl-C only when we decide so.
 */
export async function ensureSupervisor(
  config: GatewayConfig,
  configFile: string | undefined,
  logsDir: string,
  timeoutMs = 20_000,
): Promise<RunningSupervisor> {
  const existing = await pingSupervisor(config);
  if (existing) return { pid: existing.pid, startedHere: false };

  const logFile = join(logsDir, 'supervisor.log');
  const fd = openSync(logFile, 'a', 0o600);
  const args = [
    ...SUPERVISOR_NODE_FLAGS,
    supervisorMain(),
    ...(configFile ? ['--config', configFile] : []),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, MLX_GATEWAY_HOME: config.home },
  });
  closeSync(fd);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pong = await Promise.race([
      pingSupervisor(config, 250),
      exited.then(() => 'exited' as const),
    ]);
    if (pong === 'exited') {
      throw new Error(
        `the supervisor exited during start-up with code ${await exited}; see ${logFile}`,
      );
    }
    if (pong) {
      return { pid: pong.pid, startedHere: true, exited };
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(
        `the supervisor did not answer within ${Math.round(timeoutMs / 1000)}s; see ${logFile}`,
      );
    }
  }
}

/** Asks the supervisor to shut down and waits until it no longer answers. */
export async function stopSupervisor(config: GatewayConfig, timeoutMs = 60_000): Promise<boolean> {
  const client = await openSupervisorClient(config, 2_000);
  try {
    await client.request({ cmd: 'shutdown' });
  } catch {
    return false;
  } finally {
    client.close();
  }
  return waitUntilGone(config, timeoutMs);
}

/** Waits until nothing answers on the control socket; false when it still does at the deadline. */
export async function waitUntilGone(config: GatewayConfig, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await pingSupervisor(config, 250))) return true;
  }
  return false;
}
