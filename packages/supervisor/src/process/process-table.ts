import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Read-only questions about processes, answered from /proc on Linux and from `ps` elsewhere (macOS).
 * Zombies count as gone: a killed process that nobody reaped yet holds no memory or port.
 */

const hasProc = process.platform === 'linux';

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', pgrp: Number(rest[2]), startTime: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

function ps(args: string[]): string {
  try {
    return execFileSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** An identity token that changes when a pid is reused: the process start time. */
export function processStartTime(pid: number): string | undefined {
  if (hasProc) {
    const st = readStat(pid);
    return st && st.state !== 'Z' ? st.startTime : undefined;
  }
  const out = ps(['-o', 'lstart=', '-p', String(pid)]).trim();
  return out.length > 0 ? out : undefined;
}

/** The command line of a live process, as one space-joined string. */
export function processCommandLine(pid: number): string | undefined {
  if (hasProc) {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return raw
        .split('\0')
        .filter((s) => s.length > 0)
        .join(' ');
    } catch {
      return undefined;
    }
  }
  const out = ps(['-o', 'command=', '-p', String(pid)]).trim();
  return out.length > 0 ? out : undefined;
}

export function isAlive(pid: number): boolean {
  if (hasProc) {
    const st = readStat(pid);
    return st !== undefined && st.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (hasProc) {
    const members: number[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const st = readStat(pid);
      if (st && st.pgrp === pgid && st.state !== 'Z') members.push(pid);
    }
    return members;
  }
  const members: number[] = [];
  for (const line of ps(['-A', '-o', 'pid=,pgid=,stat=']).split('\n')) {
    const [pid, pg, stat] = line.trim().split(/\s+/);
    if (Number(pg) === pgid && !stat?.startsWith('Z')) members.push(Number(pid));
  }
  return members;
}

export function groupAlive(pgid: number): boolean {
  if (hasProc) return groupMembers(pgid).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal to a whole process group; false if the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
