import { describe, expect, it } from 'vitest';
import type { StateStore } from '@mlx-gateway/shared/state';
import type { ResponsesResponse } from '../translate/responses/index.js';
import { StateResponseStore, embeddedResponseStore } from './state-response-store.js';

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

describe('the response store on the state store', () => {
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

  it('stores a document with the TTL under a responses: key, and a read waits for the write', async () => {
    const docs = new Map<string, { value: unknown; ttlMs: number }>();
    let finish: () => void = () => undefined;
    const state = {
      putDocument: (key: string, value: unknown, ttlMs: number) =>
        new Promise<void>((resolve) => {
          finish = () => {
            docs.set(key, { value, ttlMs });
            resolve();
          };
        }),
      getDocument: (key: string) => Promise.resolve(docs.get(key)?.value),
      deleteDocument: (key: string) => Promise.resolve(docs.delete(key)),
    } as unknown as StateStore;
    const store = new StateResponseStore(() => Promise.resolve(state), 5_000);
    const stored = { response: response('resp_w'), input: [] };
    void store.put(stored);
    const read = store.get('resp_w');
    await Promise.resolve();
    finish();
    expect(await read).toEqual(stored);
    expect(docs.get('responses:resp_w')?.ttlMs).toBe(5_000);
  });
});
