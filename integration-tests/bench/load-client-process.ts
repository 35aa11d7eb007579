import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadClientMain } from './bench-paths.js';
import type { LoadJob, LoadMessage, LoadResult } from './load-protocol.js';

/** The load generator process (load-client.ts), driven over its IPC channel. */
export class LoadClient {
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown[]>;

  constructor() {
    this.child = fork(loadClientMain, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = once(this.child, 'exit');
  }

  async run(job: LoadJob): Promise<LoadResult> {
    this.child.send(job);
    const message = await Promise.race([
      once(this.child, 'message').then(([m]) => m as LoadMessage),
      this.exited.then(([code, signal]) => {
        throw new Error(`the load client exited (${String(code ?? signal)})`);
      }),
    ]);
    if (message.kind === 'failed') throw new Error(`load client: ${message.error}`);
    return message.result;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.disconnect();
    await this.exited;
  }
}
