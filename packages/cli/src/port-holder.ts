import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortHolder {
  pid: number;
  command: string;
}

/** Inodes of the sockets listening on a TCP port, from /proc/net/tcp{,6} (Linux). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] ("0100007F:1F90"), st is cols[3] ("0A" = LISTEN), inode cols[9].
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

function fromProc(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        const pid = Number(entry);
        return { pid, command: commandOf(pid) };
      }
    }
  }
  return undefined;
}

function fromLsof(port: number): PortHolder | undefined {
  try {
    const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], {
      encoding: 'utf8',
      timeout: 3_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = Number(/^p(\d+)$/m.exec(out)?.[1]);
    const command = /^c(.*)$/m.exec(out)?.[1] ?? '';
    return Number.isInteger(pid) && pid > 0 ? { pid, command } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The process listening on a TCP port, when this user may see it: /proc on Linux, `lsof`
 * elsewhere. Best effort, for an error message; undefined when unknown.
 */
export function findPortHolder(port: number): PortHolder | undefined {
  if (process.platform === 'linux') return fromProc(port) ?? fromLsof(port);
  return fromLsof(port);
}
