// The load generator, a process of its own so that the client never shares an event loop with
// the servers it measures. Started by main.ts with an IPC channel: each message is a LoadJob,
// each answer a LoadMessage.
import type { LoadJob, LoadMessage } from './load-protocol.js';
import { closePools, runLoad } from './load-run.js';

const send = (message: LoadMessage): void => {
  process.send?.(message);
};

process.on('message', (job: LoadJob) => {
  runLoad(job).then(
    (result) => send({ kind: 'result', result }),
    (err: unknown) =>
      send({ kind: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => {
  void closePools().finally(() => process.exit(0));
});
