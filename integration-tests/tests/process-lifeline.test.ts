import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, repoRoot } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

/**
 * The lifeline run for real with a stand-in owner (fixtures/lifeline-owner.mjs) and a process
 * group that ignores SIGTERM and has a grandchild (fixtures/stubborn-group.mjs): when the owner
 * dies of SIGKILL, nothing of the group may survive, and the lifeline itself goes too.
 */
const owner = join(repoRoot, 'integration-tests/fixtures/lifeline-owner.mjs');

interface Started {
  pgid: number;
  pids: number[];
  lifeline: number;
}

const groups = new Set<number>();
afterEach(() => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
});

/** Pids of the live (not zombie) members of a process group. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z') out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function startOwner(args: string[] = []) {
  const child = spawn(process.execPath, [owner, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  groups.add(child.pid!);
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    exited.then(() => {
      throw new Error('the owner exited before it reported its group');
    }),
  ])) as [string];
  const started = JSON.parse(line) as Started;
  groups.add(started.pgid);
  groups.add(started.lifeline);
  return { child, exited, ...started };
}

describe('the lifeline', () => {
  it('kills a group that ignores SIGTERM, grandchild included, when its owner is killed with SIGKILL', async () => {
    const o = await startOwner();
    expect(groupMembers(o.pgid).sort()).toEqual([...o.pids].sort());
    expect(isAlive(o.lifeline)).toBe(true);
    o.child.kill('SIGKILL');
    await o.exited;
    await waitUntil(
      () => groupMembers(o.pgid).length === 0,
      'every process of the group to be gone',
      5_000,
    );
    expect(o.pids.filter(isAlive)).toEqual([]);
    await waitUntil(() => !isAlive(o.lifeline), 'the lifeline to exit', 5_000);
  });

  it('with keepModelsOnExit leaves the group running when its owner dies', async () => {
    const o = await startOwner(['keep']);
    o.child.kill('SIGKILL');
    await o.exited;
    await waitUntil(() => !isAlive(o.lifeline), 'the lifeline to exit', 5_000);
    expect(groupMembers(o.pgid).sort()).toEqual([...o.pids].sort());
  });
});
