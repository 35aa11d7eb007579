import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LifelineOptions {
  keepModelsOnExit: boolean;
  onWarning?: (msg: string) => void;
}

/**
 * The supervisor's side of the lifeline (see lifeline-main.ts). If the lifeline itself dies, a
 * new one is started and told every group again.
 */
export class Lifeline {
  private child?: ChildProcess;
  private readonly groups = new Map<number, string>();
  private closed = false;

  constructor(private readonly opts: LifelineOptions) {}

  start(): void {
    const script = fileURLToPath(new URL('./lifeline-main.js', import.meta.url));
    const child = spawn(process.execPath, [script], {
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
    this.send({ op: 'keep', value: this.opts.keepModelsOnExit });
    for (const [pgid, startTime] of this.groups) this.send({ op: 'watch', pgid, startTime });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  watch(pgid: number, startTime: string): void {
    this.groups.set(pgid, startTime);
    this.send({ op: 'watch', pgid, startTime });
  }

  unwatch(pgid: number): void {
    this.groups.delete(pgid);
    this.send({ op: 'unwatch', pgid });
  }

  /** Graceful exit: the supervisor has dealt with its children itself. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send({ op: 'bye' });
    this.child?.stdin?.end();
  }

  private send(msg: object): void {
    this.child?.stdin?.write(`${JSON.stringify(msg)}\n`);
  }
}
