import { PerformanceObserver, constants } from 'node:perf_hooks';

/**
 * Gives back to the system the memory the C allocator still holds after a load.
 *
 * On Linux, glibc's malloc keeps the pages of freed blocks that are not at the very top of its
 * heap. After a burst of requests (every socket read is a malloc'd buffer until the garbage
 * collector frees it) the proxy's heap is mostly free space held between a few blocks still in
 * use, and it stays resident for good: 25–30 MB after the benchmark's load. Only `malloc_trim`
 * returns those pages. It is called when the process has turned quiet after a load, and again
 * after V8's memory reducer has collected the heap (the major collections V8 makes once a
 * process is idle, marked "all external memory"), never while requests are being served.
 */

/** Waits this long after the last of the memory reducer's collections (it runs two or three). */
const SETTLE_MS = 1_000;
/** Waits this long after its own collection before trimming. */
const AFTER_COLLECT_MS = 500;
/** How often the process's CPU time is looked at. */
const QUIET_CHECK_MS = 5_000;
/** Quiet: less CPU than this share of the time since the last look. */
const QUIET_SHARE = 0.02;
/**
 * A load worth a trim: at least this much CPU time since the last trim (or the start). A
 * gateway that has served no load is never trimmed, and never loads what trimming needs.
 */
const LOAD_CPU_US = 1_000_000;

export interface TrimOptions {
  /** Returns freed memory to the system (malloc_trim). */
  trim: () => void;
  /**
   * A full garbage collection, run before the trim when the process turns quiet: what a load
   * left for V8's next major collection (the socket buffers among it) is freed at once rather
   * than when V8's memory reducer gets to it, 8 to 30 s later.
   */
  collect?: () => void;
  /** Called when trim throws; the trimming stops. */
  onError?: (err: unknown) => void;
  /** The process's CPU time in µs (process.cpuUsage, user + system). */
  cpuTimeUs?: () => number;
}

export interface Trimmer {
  /** How many times trim has run. */
  readonly trims: number;
  stop(): void;
}

interface GcDetail {
  kind: number;
  flags: number;
}

/** Whether a collection is one of V8's memory reducer's: major, "all external memory". */
export function isMemoryReducerCollection(detail: GcDetail | undefined): boolean {
  return (
    detail !== undefined &&
    detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR &&
    (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY) !== 0
  );
}

const processCpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Runs `trim` when the process turns quiet after a load (checked every 5 s) and after V8's
 * memory reducer has collected the heap. Its timers never keep the process alive.
 */
export function trimAfterIdleCollections(options: TrimOptions): Trimmer {
  const cpuTimeUs = options.cpuTimeUs ?? processCpuUs;
  let trims = 0;
  let settle: NodeJS.Timeout | undefined;
  let lastCpu = cpuTimeUs();
  let cpuAtTrim = lastCpu;
  const run = (): void => {
    settle = undefined;
    try {
      options.trim();
      trims++;
      cpuAtTrim = cpuTimeUs();
    } catch (err) {
      stop();
      options.onError?.(err);
    }
  };
  const quietCheck = setInterval(() => {
    const cpu = cpuTimeUs();
    const quiet = cpu - lastCpu < QUIET_CHECK_MS * 1000 * QUIET_SHARE;
    lastCpu = cpu;
    if (!quiet || cpu - cpuAtTrim < LOAD_CPU_US || settle !== undefined) return;
    if (options.collect === undefined) return run();
    try {
      options.collect();
    } catch (err) {
      stop();
      options.onError?.(err);
      return;
    }
    // The buffers a collection frees are released by V8's sweeper thread, a moment later.
    settle = setTimeout(run, AFTER_COLLECT_MS);
    settle.unref();
  }, QUIET_CHECK_MS);
  quietCheck.unref();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!isMemoryReducerCollection((entry as { detail?: GcDetail }).detail)) continue;
      const cpu = cpuTimeUs();
      if (cpu - cpuAtTrim < LOAD_CPU_US) continue;
      clearTimeout(settle);
      // Collections for external memory pressure look the same and come under load: only a
      // process still quiet a second later is trimmed.
      settle = setTimeout(() => {
        if (cpuTimeUs() - cpu < SETTLE_MS * 1000 * QUIET_SHARE) run();
        else settle = undefined;
      }, SETTLE_MS);
      settle.unref();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const stop = (): void => {
    observer.disconnect();
    clearInterval(quietCheck);
    clearTimeout(settle);
    settle = undefined;
  };
  return {
    get trims() {
      return trims;
    },
    stop,
  };
}
