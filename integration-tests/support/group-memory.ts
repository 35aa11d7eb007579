import { readFileSync, readdirSync } from 'node:fs';

/** Resident memory (VmRSS) of one process in bytes; 0 when it is gone or a zombie. */
function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/** Process group of every live process, read from /proc (Linux). */
function processGroups(): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const pgid = Number(rest[2]);
      const members = groups.get(pgid) ?? [];
      members.push(pid);
      groups.set(pgid, members);
    } catch {
      // gone meanwhile
    }
  }
  return groups;
}

/** Resident memory of each of the given process groups (every member summed), in bytes. */
export function groupsRss(pgids: Iterable<number>): Map<number, number> {
  const groups = processGroups();
  const out = new Map<number, number>();
  for (const pgid of pgids) {
    const members = groups.get(pgid) ?? [];
    out.set(
      pgid,
      members.reduce((sum, pid) => sum + rssBytes(pid), 0),
    );
  }
  return out;
}

/**
 * Samples, every `everyMs`, the summed resident memory of the process groups `pgids()` names
 * (read again at each sample), until stopped; keeps the peak and every sample.
 */
export class RssSampler {
  readonly samples: Array<{ at: number; bytes: number; groups: number }> = [];
  peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pgids: () => Iterable<number>,
    private readonly everyMs = 20,
  ) {}

  start(): this {
    const tick = (): void => {
      this.sample();
      this.timer = setTimeout(tick, this.everyMs);
    };
    tick();
    return this;
  }

  sample(): number {
    const rss = groupsRss(this.pgids());
    let bytes = 0;
    for (const b of rss.values()) bytes += b;
    const groups = [...rss.values()].filter((b) => b > 0).length;
    this.samples.push({ at: Date.now(), bytes, groups });
    if (bytes > this.peak) this.peak = bytes;
    return bytes;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
