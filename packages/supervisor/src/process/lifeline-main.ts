/**
 * The lifeline: a tiny process the supervisor starts next to itself. It reads instructions on
 * stdin (one JSON object per line) and, when stdin closes without a goodbye — the supervisor
 * died, even of SIGKILL — kills every process group it was told about, within about a second.
 *
 *   {"op":"watch","pgid":123,"startTime":"..."}   a child group to kill if the supervisor dies
 *   {"op":"unwatch","pgid":123}
 *   {"op":"keep","value":true}                     keepModelsOnExit: leave children running
 *   {"op":"bye"}                                   graceful exit of the supervisor: nothing to do
 */
import { createInterface } from 'node:readline';
import { groupAlive, processStartTime, signalGroup, isAlive } from './process-table.js';

const TERM_WAIT_MS = 700;
const groups = new Map<number, string>();
let keep = false;
let bye = false;

// The terminal's Ctrl-C goes to the supervisor; the lifeline must outlive it to do its job.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    const msg = JSON.parse(line) as {
      op: string;
      pgid?: number;
      startTime?: string;
      value?: boolean;
    };
    if (msg.op === 'watch' && msg.pgid) groups.set(msg.pgid, msg.startTime ?? '');
    else if (msg.op === 'unwatch' && msg.pgid) groups.delete(msg.pgid);
    else if (msg.op === 'keep') keep = msg.value === true;
    else if (msg.op === 'bye') bye = true;
  } catch {
    // not ours to crash on
  }
});
lines.on('close', () => {
  if (bye || keep) process.exit(0);
  reap();
});

/** A group is still ours if its leader is dead (no pid reuse possible while the group lives) or unchanged. */
function stillOurs(pgid: number, startTime: string): boolean {
  if (!isAlive(pgid)) return true;
  return startTime === '' || processStartTime(pgid) === startTime;
}

function reap(): void {
  const targets = [...groups].filter(([pgid, st]) => stillOurs(pgid, st)).map(([pgid]) => pgid);
  for (const pgid of targets) signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + TERM_WAIT_MS;
  const tick = setInterval(() => {
    const left = targets.filter((pgid) => groupAlive(pgid));
    if (left.length === 0 || Date.now() >= deadline) {
      for (const pgid of left) signalGroup(pgid, 'SIGKILL');
      clearInterval(tick);
      process.exit(0);
    }
  }, 25);
}
