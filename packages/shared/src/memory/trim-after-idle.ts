/**
 * Gives back to the system the memory the C allocator still holds after a load.
 *
 * On Linux, glibc's malloc keeps the pages of freed blocks that are not at the very top of its
 * heap. After a burst of requests (every socket read is a malloc'd buffer until the garbage
 * collector frees it) the proxy's heap is mostly free space held between a few blocks still in
 * use, and it stays resident for good: 25–30 MB after the benchmark's load. Only `malloc_trim`
 * returns those pages. It is called when the process has turned quiet after a load, after a full
 * collection; and again at the next few quiet looks, for what V8's memory reducer frees later
 * (it collects a process that has gone idle within 8 to 30 s). Never while requests are being
 * served. The process's CPU time is all it watches: a PerformanceObserver of collections would
 * cost every collection under load (15–20% of an allocation-heavy loop's CPU, measured).
 */

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
/** Trims at the quiet looks after the first one (5 s apart): what V8 frees later. */
const FOLLOW_UP_TRIMS = 5;

export interface TrimOptions {
  /** Returns freed memory to the system (malloc_trim). */
  trim: () => void;
  /**
   * A full garbage collection, run before the first trim: what a load left for V8's next major
   * collection (the socket buffers among it) is freed at once rather than when V8's memory
   * reducer gets to it.
   */
  collect?: () => void;
  /** Called when trim or collect throws; the trimming stops. */
  onError?: (err: unknown) => void;
  /** The process's CPU time in µs (process.cpuUsage, user + system). */
  cpuTimeUs?: () => number;
}

export interface Trimmer {
  /** How many times trim has run. */
  readonly trims: number;
  stop(): void;
}

const processCpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Runs `collect` and then `trim` when the process turns quiet after a load (looked at every
 * 5 s), and `trim` again at the next quiet looks. Its timers never keep the process alive.
 */
export function trimWhenQuiet(options: TrimOptions): Trimmer {
  const cpuTimeUs = options.cpuTimeUs ?? processCpuUs;
  let trims = 0;
  let followUps = 0;
  let pending: NodeJS.Timeout | undefined;
  let lastCpu = cpuTimeUs();
  let cpuAtTrim = lastCpu;
  const attempt = (step: () => void): boolean => {
    try {
      step();
      return true;
    } catch (err) {
      stop();
      options.onError?.(err);
      return false;
    }
  };
  const trim = (): void => {
    pending = undefined;
    if (!attempt(options.trim)) return;
    trims++;
    cpuAtTrim = cpuTimeUs();
  };
  const look = setInterval(() => {
    const cpu = cpuTimeUs();
    const quiet = cpu - lastCpu < QUIET_CHECK_MS * 1000 * QUIET_SHARE;
    lastCpu = cpu;
    if (!quiet || pending !== undefined) return;
    if (cpu - cpuAtTrim < LOAD_CPU_US) {
      if (followUps > 0) {
        followUps--;
        trim();
      }
      return;
    }
    followUps = FOLLOW_UP_TRIMS;
    if (options.collect === undefined) return trim();
    if (!attempt(options.collect)) return;
    // The buffers a collection frees are released by V8's sweeper thread, a moment later.
    pending = setTimeout(trim, AFTER_COLLECT_MS);
    pending.unref();
  }, QUIET_CHECK_MS);
  look.unref();
  const stop = (): void => {
    clearInterval(look);
    clearTimeout(pending);
    pending = undefined;
  };
  return {
    get trims() {
      return trims;
    },
    stop,
  };
}
