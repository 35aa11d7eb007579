import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  groupAlive,
  groupMembers,
  isAlive,
  processCommandLine,
  processStartTime,
  signalGroup,
} from './process-table.js';

const started: number[] = [];
afterEach(() => {
  for (const pgid of started.splice(0)) signalGroup(pgid, 'SIGKILL');
});

async function startGroup(): Promise<{ leader: number; grandchild: number }> {
  // A leader in its own group that forks a grandchild into the same group and prints its pid.
  const code = `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1e6)'],{stdio:'ignore'});console.log(c.pid);setInterval(()=>{},1e6)`;
  const child = spawn(process.execPath, ['-e', code], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  started.push(child.pid!);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { leader: child.pid!, grandchild: Number(line.toString().trim()) };
}

describe('process table', () => {
  it('knows the members of a process group, including a grandchild', async () => {
    const { leader, grandchild } = await startGroup();
    expect(groupMembers(leader).sort()).toEqual([leader, grandchild].sort());
    expect(groupAlive(leader)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
  });

  it('gives a stable start time and the command line of a live process', async () => {
    const { leader } = await startGroup();
    const t = processStartTime(leader);
    expect(t).toBeTruthy();
    expect(processStartTime(leader)).toBe(t);
    expect(processCommandLine(leader)).toContain('setInterval');
    expect(processStartTime(process.pid)).not.toBe(t);
  });

  it('a killed group is gone (zombies do not count)', async () => {
    const { leader, grandchild } = await startGroup();
    expect(signalGroup(leader, 'SIGKILL')).toBe(true);
    const deadline = Date.now() + 5_000;
    while (groupAlive(leader) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(groupAlive(leader)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    expect(processStartTime(grandchild)).toBeUndefined();
  });
});
