import { spawn, type ChildProcess } from 'node:child_process';
import { LIFELINE_SCRIPT } from './lifeline-script.js';

export interface LifelineOptions {
  keepModelsOnExit: boolean;
  onWarning?: (msg: string) => void;
}

/**
 * The supervisor's side of the lifeline (the shell script in lifeline-script.ts). If the lifeline
 * itself dies, a new one is started and told every group again.
 */
export class Lifeline {
  private child?: ChildProcess;
  private readonly groups = new Map<number, string>();
  private closed = false;

  constructor(private readonly opts: LifelineOptions) {}

  start(): void {
    const child = spawn('/bin/sh', ['-c', LIFELINE_SCRIPT, 'mlx-gateway-lifeline'], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.unref();
    child.stdin?.on('error', () => undefined);
    child.once('exit', () => {
      if (this.child !== child || this.closed) return;
      this.opts.onWarning?.('lifeline exited; starting a new one');
      this.start();
    });
    this.child = child;
    this.send(`keep ${this.opts.keepModelsOnExit ? 1 : 0}`);
    for (const [pgid, startTime] of this.groups) this.send(`watch ${pgid} ${startTime}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  watch(pgid: number, startTime: string): void {
    this.groups.set(pgid, startTime);
    this.send(`watch ${pgid} ${startTime}`);
  }

  unwatch(pgid: number): void {
    this.groups.delete(pgid);
    this.send(`unwatch ${pgid}`);
  }

  /** Graceful exit: the supervisor has dealt with its children itself. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send('bye');
    this.child?.stdin?.end();
  }

  /** One instruction line; a start time holds no newline (it is a number or `ps` output). */
  private send(line: string): void {
    this.child?.stdin?.write(`${line}\n`);
  }
}
