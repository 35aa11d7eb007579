// The fake upstream as a process, also usable as a `command` model the supervisor starts:
//
//   node integration-tests/dist/bench/fake-upstream-main.js [--port N] [--host H]
//
// Prints `fake upstream listening on http://H:N`; exits on SIGTERM.
import { parseArgs } from 'node:util';
import { startFakeUpstream } from './fake-upstream.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const url = await startFakeUpstream(Number(values.port), values.host);
process.stdout.write(`fake upstream listening on ${url}\n`);
process.on('SIGTERM', () => process.exit(0));
