/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every process of the benchmark
 * counts from the same epoch, so a time stamped by the fake upstream can be compared with the
 * time the load client sees the event arrive.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
