import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResponsesResponse } from '../translate/responses/index.js';
import { RedisResponseStore, embeddedResponseStore } from './redis-response-store.js';
import type { RedisCommands } from './redis-response-store.js';

const response = (id: string): ResponsesResponse => ({
  id,
  object: 'response',
  created_at: 1,
  status: 'completed',
  error: null,
  incomplete_details: null,
  model: 'm',
  output: [],
  output_text: '',
  usage: null,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the embedded response store', () => {
  it('keeps a response with its input, and forgets it on delete', async () => {
    const store = embeddedResponseStore(60_000);
    const input = [{ type: 'message' as const, role: 'user' as const, content: 'hi' }];
    await store.put({ response: response('resp_1'), input });
    expect(await store.get('resp_1')).toEqual({ response: response('resp_1'), input });
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.delete('resp_1')).toBe(true);
    expect(await store.delete('resp_1')).toBe(false);
    expect(await store.get('resp_1')).toBeUndefined();
  });

  it('lets a response expire after its time-to-live', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = embeddedResponseStore(5_000);
    await store.put({ response: response('resp_ttl'), input: [] });
    vi.setSystemTime(1_004_000);
    expect(await store.get('resp_ttl')).toBeDefined();
    vi.setSystemTime(1_005_001);
    expect(await store.get('resp_ttl')).toBeUndefined();
  });
});

describe('RedisResponseStore', () => {
  it('sends SET with PX, GET and DEL, and a read waits for a write of the same id', async () => {
    const calls: unknown[][] = [];
    let finishWrite: () => void = () => {};
    const data = new Map<string, string>();
    const redis: RedisCommands = {
      set: (...args) => {
        calls.push(['set', ...args]);
        return new Promise((resolve) => {
          finishWrite = () => {
            data.set(args[0], args[1]);
            resolve('OK');
          };
        });
      },
      get: (key) => {
        calls.push(['get', key]);
        return Promise.resolve(data.get(key) ?? null);
      },
      del: (key) => {
        calls.push(['del', key]);
        return Promise.resolve(data.delete(key) ? 1 : 0);
      },
    };
    const store = new RedisResponseStore(redis, 1_234);
    const written = store.put({ response: response('resp_w'), input: [] });
    const read = store.get('resp_w');
    await Promise.resolve();
    expect(calls.map((c) => c[0])).toEqual(['set']);
    finishWrite();
    await written;
    expect((await read)?.response.id).toBe('resp_w');
    expect(calls[0]?.slice(3)).toEqual(['PX', 1_234]);
    expect(await store.delete('resp_w')).toBe(true);
    expect(calls.map((c) => c[0])).toEqual(['set', 'get', 'del']);
  });
});
