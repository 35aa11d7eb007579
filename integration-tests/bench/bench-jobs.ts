import { requestBody, requestPath } from './bench-plan.js';
import type { BenchPath, Scenario } from './bench-plan.js';
import type { LoadJob } from './load-protocol.js';
import { cpuTimeMs } from './service.js';

/** CPU time used so far by all of `pids`, in ms (undefined without /proc). */
export function cpuOf(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const ms = cpuTimeMs(pid);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

/** The load job of one path and scenario. */
export function job(path: BenchPath, scenario: Scenario, durationMs: number): LoadJob {
  return {
    origin: path.origin,
    path: requestPath(path),
    body: requestBody(path, scenario),
    stream: scenario.stream,
    expectEvents: scenario.events,
    concurrency: scenario.concurrency,
    durationMs,
  };
}

/** CPU µs per request of a round, when the CPU used is large enough to mean something. */
export function cpuPerRequest(
  before: number | undefined,
  after: number | undefined,
  requests: number,
): number | undefined {
  // Below 100 ms of CPU the 10 ms clock ticks of /proc make the figure meaningless.
  if (before === undefined || after === undefined || after - before < 100 || requests === 0) {
    return undefined;
  }
  return ((after - before) * 1000) / requests;
}
