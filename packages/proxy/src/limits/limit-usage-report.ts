import { readLimitUsage } from '@mlx-gateway/shared/clients';
import type { LimitUsage, LimitedScope, ReadCounters } from '@mlx-gateway/shared/clients';
import type { StateStore } from '@mlx-gateway/shared/state';
import { MemoryCounters } from './memory-counters.js';
import type { CounterStore } from './memory-counters.js';

/** Where the counts were read, when (epoch ms), and each scope's usage in the order asked. */
export interface LimitUsageReport {
  store: StateStore['kind'];
  at: number;
  usage: LimitUsage[];
}

/** The limiter's store and how long a first read waits for a Redis that is still connecting. */
export interface UsageStore {
  state: () => Promise<StateStore>;
  connectWaitMs?: number;
}

/**
 * The usage of limited client keys and models as this proxy's limiter sees it: on the embedded
 * store the counts are in this process's memory (`counters`, a MemoryCounters once the first
 * limited request came; before it nothing was counted), on Redis in the store, read with the
 * same keys the checks count in (shared scopeLimitKeys). Rejects when Redis cannot be read.
 */
export async function limitUsageReport(
  from: UsageStore,
  counters: CounterStore | undefined,
  scopes: readonly LimitedScope[],
  now: number,
): Promise<LimitUsageReport> {
  const store = await from.state();
  let read: ReadCounters;
  if (store.kind === 'embedded') {
    const memory = counters instanceof MemoryCounters ? counters : undefined;
    read = (keys) => Promise.resolve(keys.map((key) => memory?.counter(key) ?? 0));
  } else {
    await connected(store, from.connectWaitMs ?? 250);
    read = (keys) => Promise.all(keys.map((key) => store.counter(key)));
  }
  return { store: store.kind, at: now, usage: await readLimitUsage(read, scopes, now) };
}

/**
 * Waits up to `waitMs` for a Redis store that is not connected (yet): opened on first use, it
 * may still be connecting when the report is its first use. Its commands fail at once while it
 * is down (no offline queue), so without this the first report of a fresh proxy would fail.
 */
function connected(store: StateStore, waitMs: number): Promise<void> {
  if (store.health() === 'ok') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    timer.unref();
    store.onHealthChange((health) => {
      if (health !== 'ok') return;
      clearTimeout(timer);
      resolve();
    });
  });
}
