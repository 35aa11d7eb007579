import type { StateStore } from '@mlx-gateway/shared/state';

/**
 * The embedded store seen as a shared one, so the limiter counts in it (not in its memory).
 * ioredis-mock's Lua returns no tables, so the script (scripted-counters.ts: the corrections,
 * floored at 0 where asked, then INCRBY each key) is played here with the store's own
 * increments; the real script runs against redis-server in the integration tests.
 */
export function asShared(store: StateStore): StateStore {
  const shared: StateStore = {
    kind: 'redis',
    health: () => store.health(),
    onHealthChange: (l) => store.onHealthChange(l),
    increment: (k, by, ttl) => store.increment(k, by, ttl),
    counter: (k) => store.counter(k),
    putDocument: (k, v, ttl) => store.putDocument(k, v, ttl),
    getDocument: (k) => store.getDocument(k),
    deleteDocument: (k) => store.deleteDocument(k),
    append: (st, v, n) => store.append(st, v, n),
    latest: (st, n, b) => store.latest(st, n, b),
    after: (st, a, n) => store.after(st, a, n),
    script: () => ({
      run: async (keys, args) => {
        const corrections = Number(args[0]);
        const out: number[] = [];
        for (const [i, key] of keys.entries()) {
          const by = Number(args[1 + 2 * i]);
          const second = args[2 + 2 * i];
          if (i >= corrections) {
            out.push(await shared.increment(key, by, Number(second)));
            continue;
          }
          const value = await shared.increment(key, by, 60_000);
          if (value < 0 && second === '1') await shared.increment(key, -value, 60_000);
        }
        return out;
      },
    }),
    close: () => store.close(),
  };
  return shared;
}
