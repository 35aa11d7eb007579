import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore, type StateStore } from '@mlx-gateway/shared/state';
import { waitUntil } from '../support/wait.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

let redis: RedisServer;
let prefixCount = 0;
const opened: StateStore[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function openEmbedded(): Promise<StateStore> {
  const store = await openStateStore({ keyPrefix: `t${prefixCount++}:`, whenDown: 'serve' });
  opened.push(store);
  return store;
}

async function openRedis(keyPrefix = `t${prefixCount++}:`): Promise<StateStore> {
  const store = await openStateStore({
    keyPrefix,
    whenDown: 'serve',
    redis: { url: redis.url, commandTimeoutMs: 250, connectTimeoutMs: 1000 },
  });
  opened.push(store);
  await waitUntil(() => store.health() === 'ok', 'the store to connect');
  return store;
}

const SET_IF_GREATER = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local proposed = tonumber(ARGV[1])
if proposed > current then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;

describe.each([
  ['embedded (ioredis-mock)', openEmbedded],
  ['redis-server', () => openRedis()],
])('state store: %s', (_name, open) => {
  it('counts with an expiry that starts when the counter is created', async () => {
    const store = await open();
    expect(await store.increment('c', 2, 60_000)).toBe(2);
    expect(await store.increment('c', 3, 60_000)).toBe(5);
    expect(await store.counter('c')).toBe(5);
    expect(await store.counter('absent')).toBe(0);
    await store.increment('short', 1, 30);
    await waitUntil(async () => (await store.counter('short')) === 0, 'the counter to expire');
  });

  it('keeps documents until their TTL and deletes them on request', async () => {
    const store = await open();
    await store.putDocument('d', { id: 'resp_1', output: [{ type: 'message' }] }, 60_000);
    expect(await store.getDocument('d')).toEqual({ id: 'resp_1', output: [{ type: 'message' }] });
    expect(await store.deleteDocument('d')).toBe(true);
    expect(await store.deleteDocument('d')).toBe(false);
    expect(await store.getDocument('d')).toBeUndefined();
    await store.putDocument('brief', { a: 1 }, 30);
    await waitUntil(async () => (await store.getDocument('brief')) === undefined, 'expiry');
  });

  it('appends to a stream and reads it newest first, in pages, and after an id', async () => {
    const store = await open();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await store.append('activity', { i }, 1000));
    const newest = await store.latest('activity', 3);
    expect(newest.map((e) => e.value)).toEqual([{ i: 5 }, { i: 4 }, { i: 3 }]);
    const older = await store.latest('activity', 3, newest[2]!.id);
    expect(older.map((e) => e.value)).toEqual([{ i: 2 }, { i: 1 }, { i: 0 }]);
    const after = await store.after('activity', ids[3]!, 10);
    expect(after.map((e) => e.value)).toEqual([{ i: 4 }, { i: 5 }]);
    expect(await store.after('activity', ids[5]!, 10)).toEqual([]);
  });

  it('runs a Lua script atomically on its prefixed keys', async () => {
    const store = await open();
    const setIfGreater = store.script('set_if_greater', SET_IF_GREATER, 1);
    expect(await setIfGreater.run(['high'], [5])).toBe(1);
    expect(await setIfGreater.run(['high'], [3])).toBe(0);
    expect(await store.counter('high')).toBe(5);
    await expect(setIfGreater.run([], [1])).rejects.toThrow(/takes 1 keys/);
  });
});

describe('state store on a real Redis', () => {
  it('is shared by two stores with one prefix (two proxies) and separated by prefixes', async () => {
    const a = await openRedis('shared:');
    const b = await openRedis('shared:');
    const other = await openRedis('other:');
    await a.increment('requests', 1, 60_000);
    await b.increment('requests', 1, 60_000);
    expect(await a.counter('requests')).toBe(2);
    expect(await other.counter('requests')).toBe(0);
  });

  it('reports Redis down, fails commands within the command timeout, and comes back by itself', async () => {
    const store = await openRedis();
    const changes: string[] = [];
    store.onHealthChange((health) => changes.push(health));
    await store.increment('n', 1, 60_000);
    await redis.kill();
    await waitUntil(() => store.health() === 'down', 'the store to notice');
    const started = Date.now();
    await expect(store.increment('n', 1, 60_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
    await redis.restart();
    await waitUntil(() => store.health() === 'ok', 'the store to reconnect', 15_000);
    // The restarted Redis saved nothing: counting starts again.
    expect(await store.increment('n', 1, 60_000)).toBe(1);
    expect(changes).toEqual(['down', 'ok']);
  });
});
