import { execFileSync } from 'node:child_process';

/** Resident memory of each gateway process, in MB (ps reports kilobytes). */
export interface GatewayMemory {
  proxy: number;
  supervisor: number;
  /** The supervisor's lifeline (a shell script): its child that is not a model server. */
  lifeline: number;
  total: number;
}

interface Row {
  pid: number;
  ppid: number;
  rssKb: number;
  comm: string;
}

/** Every process's pid, parent, resident kB and command name (`ps -A` works on Linux and macOS). */
function processTable(): Row[] {
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([pid, ppid, rss, ...comm]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      rssKb: Number(rss),
      comm: comm.join(' '),
    }));
}

/** Samples the resident memory of the proxy, the supervisor and the lifeline now. */
export function gatewayMemory(proxyPid: number, supervisorPid: number): GatewayMemory {
  const rows = processTable();
  const mb = (pid: number | undefined): number =>
    (rows.find((r) => r.pid === pid)?.rssKb ?? 0) / 1024;
  const lifeline = rows.find((r) => r.ppid === supervisorPid && /(^|\/)(ba|da)?sh$/.test(r.comm));
  const figures = {
    proxy: mb(proxyPid),
    supervisor: mb(supervisorPid),
    lifeline: mb(lifeline?.pid),
  };
  return { ...figures, total: figures.proxy + figures.supervisor + figures.lifeline };
}

/** `proxy 61.2 MB, supervisor 52.0 MB, lifeline 1.7 MB: 114.9 MB`. */
export function formatMemory(m: GatewayMemory): string {
  const f = (v: number): string => `${v.toFixed(1)} MB`;
  return `proxy ${f(m.proxy)}, supervisor ${f(m.supervisor)}, lifeline ${f(m.lifeline)}: ${f(m.total)}`;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Samples once a second until the total is at most `boundMb` or `maxMs` has passed (V8 gives
 * memory back on its own schedule: after a few idle GCs, not at once).
 */
export async function settledMemory(
  proxyPid: number,
  supervisorPid: number,
  boundMb: number,
  maxMs: number,
): Promise<{ memory: GatewayMemory; ms: number }> {
  const started = Date.now();
  for (;;) {
    await pause(1_000);
    const memory = gatewayMemory(proxyPid, supervisorPid);
    const ms = Date.now() - started;
    if (memory.total <= boundMb || ms >= maxMs) return { memory, ms };
  }
}

/** Seconds after its last request at which the gateway counts as idle. */
export const IDLE_AFTER_MS = 10_000;
/** The earlier sample reported next to it (this bench's idle figure until session 6). */
export const EARLY_IDLE_MS = 3_000;

/**
 * What the gateway holds idle: sampled 10 s after its last request, and 3 s after for
 * comparison. V8 gives back what start-up left (its young generation, freed pages) only once
 * a process has been idle for ~8 s (its memory reducer): at 3 s both processes still held
 * 4–7 MB each that they give back by themselves, as `ps` on an idle gateway shows.
 */
export async function idleMemory(
  proxyPid: number,
  supervisorPid: number,
): Promise<{ idle: GatewayMemory; early: GatewayMemory }> {
  await pause(EARLY_IDLE_MS);
  const early = gatewayMemory(proxyPid, supervisorPid);
  await pause(IDLE_AFTER_MS - EARLY_IDLE_MS);
  return { idle: gatewayMemory(proxyPid, supervisorPid), early };
}
