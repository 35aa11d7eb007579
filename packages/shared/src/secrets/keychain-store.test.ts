import { ErrorCodes } from '@mlx-gateway/protocol';
import { describe, expect, it } from 'vitest';
import { KeychainStore } from './keychain-store.js';
import type { KeyringBackend } from './keyring-backend.js';

/** An in-memory keyring keyed by "service/account". */
function memoryKeyring(): KeyringBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: async (service, account) => entries.get(`${service}/${account}`),
    set: async (service, account, value) => {
      entries.set(`${service}/${account}`, value);
    },
    delete: async (service, account) => entries.delete(`${service}/${account}`),
  };
}

const KEY = 'sk-ant-api03-KeychainValue0123456789abcdef';

describe('KeychainStore', () => {
  it('keeps each secret as an entry of the "mlx-gateway" service', async () => {
    const keyring = memoryKeyring();
    const store = new KeychainStore({ keyring });
    expect(store.kind).toBe('keychain');
    await store.set('ANTHROPIC_API_KEY', KEY);
    expect(keyring.entries.get('mlx-gateway/ANTHROPIC_API_KEY')).toBe(KEY);
    expect(await store.get('ANTHROPIC_API_KEY')).toBe(KEY);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('lists names from an index that holds names only', async () => {
    const keyring = memoryKeyring();
    const store = new KeychainStore({ keyring });
    await Promise.all([
      store.set('b', KEY),
      store.set('a', 'another-value-42'),
      store.set('c', 'third-value-43'),
    ]);
    expect(await store.list()).toEqual(['a', 'b', 'c']);
    const index = keyring.entries.get('mlx-gateway/__index__') ?? '';
    expect(JSON.parse(index)).toEqual(['a', 'b', 'c']);
    expect(index).not.toContain(KEY);

    expect(await store.delete('b')).toBe(true);
    expect(await store.delete('b')).toBe(false);
    expect(await store.list()).toEqual(['a', 'c']);
    expect(keyring.entries.has('mlx-gateway/b')).toBe(false);
  });

  it('rejects names that could collide with its own index entry', async () => {
    const store = new KeychainStore({ keyring: memoryKeyring() });
    await expect(store.set('__index__', KEY)).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
  });

  it('passes keychain failures on to the caller', async () => {
    const broken: KeyringBackend = {
      get: () => Promise.reject(new Error("Couldn't access platform storage")),
      set: () => Promise.reject(new Error("Couldn't access platform storage")),
      delete: () => Promise.reject(new Error("Couldn't access platform storage")),
    };
    await expect(new KeychainStore({ keyring: broken }).get('x')).rejects.toThrow(
      /platform storage/,
    );
  });
});
