import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { LIFELINE_SCRIPT } from './lifeline-script.js';
import { groupAlive, isAlive, processStartTime, signalGroup } from './process-table.js';

const groups: number[] = [];
const lifelines: ChildProcess[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) signalGroup(pgid, 'SIGKILL');
  for (const l of lifelines.splice(0)) l.kill('SIGKILL');
});

/** A group leader that ignores SIGTERM and forks a grandchild into its group (a wedged model). */
async function startStubbornGroup(): Promise<number> {
  const code = `process.on('SIGTERM',()=>{});require('child_process').spawn(process.execPath,['-e','process.on("SIGTERM",()=>{});setInterval(()=>{},1e6)'],{stdio:'ignore'});console.log('up');setInterval(()=>{},1e6)`;
  const child = spawn(process.execPath, ['-e', code], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  groups.push(child.pid!);
  await once(child.stdout!, 'data');
  return child.pid!;
}

async function startLifeline(): Promise<ChildProcess> {
  const child = spawn('/bin/sh', ['-c', LIFELINE_SCRIPT, 'mlx-gateway-lifeline'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  lifelines.push(child);
  await once(child.stdout!, 'data');
  return child;
}

/** Waits, with a deadline, until a group has no live member (a kill is delivered asynchronously). */
async function gone(pgid: number, deadlineMs = 3000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (groupAlive(pgid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function closeStdin(lifeline: ChildProcess): Promise<void> {
  const exited = once(lifeline, 'exit');
  lifeline.stdin!.end();
  await exited;
}

describe('lifeline (shell script)', () => {
  it('kills every watched group, SIGKILL after SIGTERM is ignored, when its stdin closes', async () => {
    const a = await startStubbornGroup();
    const b = await startStubbornGroup();
    const lifeline = await startLifeline();
    lifeline.stdin!.write(
      `keep 0\nwatch ${a} ${processStartTime(a)}\nwatch ${b} ${processStartTime(b)}\n`,
    );
    await closeStdin(lifeline);
    expect(await gone(a)).toBe(true);
    expect(await gone(b)).toBe(true);
  });

  it('leaves an unwatched group alone', async () => {
    const a = await startStubbornGroup();
    const b = await startStubbornGroup();
    const lifeline = await startLifeline();
    lifeline.stdin!.write(
      `watch ${a} ${processStartTime(a)}\nwatch ${b} ${processStartTime(b)}\nunwatch ${a}\n`,
    );
    await closeStdin(lifeline);
    expect(groupAlive(a)).toBe(true);
    expect(await gone(b)).toBe(true);
  });

  it('does nothing after a goodbye, or when told to keep the models', async () => {
    const a = await startStubbornGroup();
    const bye = await startLifeline();
    bye.stdin!.write(`watch ${a} ${processStartTime(a)}\nbye\n`);
    await closeStdin(bye);
    const keep = await startLifeline();
    keep.stdin!.write(`keep 1\nwatch ${a} ${processStartTime(a)}\n`);
    await closeStdin(keep);
    expect(isAlive(a)).toBe(true);
  });

  it('never signals a group whose leader was replaced (a different start time)', async () => {
    const a = await startStubbornGroup();
    const lifeline = await startLifeline();
    lifeline.stdin!.write(`watch ${a} 1\n`);
    await closeStdin(lifeline);
    expect(groupAlive(a)).toBe(true);
  });

  it('outlives a Ctrl-C sent to its process group', async () => {
    const a = await startStubbornGroup();
    const lifeline = await startLifeline();
    lifeline.stdin!.write(`watch ${a} ${processStartTime(a)}\n`);
    lifeline.kill('SIGINT');
    lifeline.kill('SIGHUP');
    await closeStdin(lifeline);
    expect(lifeline.exitCode).toBe(0);
    expect(await gone(a)).toBe(true);
  });
});
