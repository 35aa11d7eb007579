// Entry of the stand-in's handler process (MLX_STANDIN_GRANDCHILD=1): it only stays alive, on
// its own if its parent dies, and ignores SIGTERM when MLX_STANDIN_IGNORE_SIGTERM=1.
import { behaviourFromEnv } from './behaviour.js';
import { HANDLER_READY } from './handler-process.js';

const { ignoreSigterm } = behaviourFromEnv(process.env).process;

process.on('SIGTERM', () => {
  if (!ignoreSigterm) process.exit(0);
  process.stderr.write(`handler process ${process.pid}: SIGTERM ignored\n`);
});

// Keeps the event loop alive until a signal ends the process.
setInterval(() => {}, 2 ** 30);

// Tell the parent the signal handlers are in place, then drop the channel: the handler must not
// depend on its parent to stay alive.
process.send?.(HANDLER_READY, () => process.disconnect());
