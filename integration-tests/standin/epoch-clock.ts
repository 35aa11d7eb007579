/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every process of the benchmark and
 * the stand-in model server counts from the same epoch, so a time stamped by the fake upstream
 * or the stand-in can be compared with the time the load client sees the event arrive. The offset to the monotonic clock is taken at a
 * tick of the wall clock, not from `performance.timeOrigin`: a process started on a busy machine
 * gets a timeOrigin off by several milliseconds (tens under heavy load), which made first bytes
 * seem to come before the /health answer they followed.
 */
export function epochMs(): number {
  const at = offset + performance.now();
  // The wall clock can run at another rate than the monotonic one (a clock being slewed: 5 ms a
  // second on the bench machine one morning), and processes started at different times then
  // disagree by that drift times their age. Date.now() is the true time rounded down to the
  // millisecond: an estimate outside [now, now + 1) follows it back to that edge.
  const now = Date.now();
  if (at < now) {
    offset += now - at;
    return now;
  }
  if (at >= now + 1) {
    offset -= at - (now + 0.999);
    return now + 0.999;
  }
  return at;
}

/** Date.now() minus performance.now() at the moment Date.now() ticks (spins about 5 ms). */
function wallClockOffset(): number {
  // A pause between the two reads only makes an estimate smaller: the largest of a few is kept.
  let best = -Infinity;
  for (let i = 0; i < 5; i++) {
    const start = Date.now();
    let now = start;
    while (now === start) now = Date.now();
    best = Math.max(best, now - performance.now());
  }
  return best;
}

// Taken once, when the module loads, so that no measured moment waits for it.
let offset = wallClockOffset();
