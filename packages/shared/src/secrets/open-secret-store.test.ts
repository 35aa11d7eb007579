import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedFileStore } from './encrypted-file-store.js';
import type { KeyringBackend } from './keyring-backend.js';
import { openSecretStore, probeKeychain } from './open-secret-store.js';

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

/** What @napi-rs/keyring does on a Linux box without a Secret Service. */
const unavailableKeyring: KeyringBackend = {
  get: () => Promise.reject(new Error("Couldn't access platform storage: AccessDenied")),
  set: () => Promise.reject(new Error("Couldn't access platform storage: AccessDenied")),
  delete: () => Promise.reject(new Error("Couldn't access platform storage: AccessDenied")),
};

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-store-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('openSecretStore', () => {
  it('picks the keychain when the probe works, and leaves no probe entry behind', async () => {
    const keyring = memoryKeyring();
    const store = await openSecretStore(home, { env: {}, keyring });
    expect(store.kind).toBe('keychain');
    expect([...keyring.entries.keys()]).toEqual([]);
    await store.set('OPENAI_API_KEY', 'sk-from-keychain-0123456789');
    expect(keyring.entries.get('mlx-gateway/OPENAI_API_KEY')).toBe('sk-from-keychain-0123456789');
  });

  it('falls back to the encrypted file when the keychain throws, and says why', async () => {
    const reasons: string[] = [];
    const store = await openSecretStore(home, {
      env: {},
      keyring: unavailableKeyring,
      onKeychainUnavailable: (reason) => reasons.push(reason),
    });
    expect(store.kind).toBe('encrypted-file');
    expect(reasons).toEqual(["Couldn't access platform storage: AccessDenied"]);
    await store.set('OPENAI_API_KEY', 'sk-in-the-file-0123456789');
    expect(await new EncryptedFileStore(home).get('OPENAI_API_KEY')).toBe(
      'sk-in-the-file-0123456789',
    );
  });

  it('falls back when the keychain does not give back what was stored', async () => {
    const forgetful: KeyringBackend = { ...memoryKeyring(), get: async () => undefined };
    const store = await openSecretStore(home, { env: {}, keyring: forgetful });
    expect(store.kind).toBe('encrypted-file');
  });

  it('uses the file when the keychain is not preferred, without touching the keychain', async () => {
    const keyring = memoryKeyring();
    const store = await openSecretStore(home, { env: {}, keyring, preferKeychain: false });
    expect(store.kind).toBe('encrypted-file');
    expect(keyring.entries.size).toBe(0);
  });

  it('uses the file, with the env key, when MLX_GATEWAY_SECRET_KEY is set', async () => {
    const env = { MLX_GATEWAY_SECRET_KEY: randomBytes(32).toString('base64') };
    const store = await openSecretStore(home, { env, keyring: memoryKeyring() });
    expect(store.kind).toBe('encrypted-file');
    await store.set('x', 'value-one-1234');
    const withEnvKey = new EncryptedFileStore(home, { keyFromEnv: env.MLX_GATEWAY_SECRET_KEY });
    expect(await withEnvKey.get('x')).toBe('value-one-1234');
  });

  it('stays with the file when it already holds secrets, even if the keychain works now', async () => {
    await new EncryptedFileStore(home).set('OPENAI_API_KEY', 'sk-stored-earlier-0123456789');
    const store = await openSecretStore(home, { env: {}, keyring: memoryKeyring() });
    expect(store.kind).toBe('encrypted-file');
    expect(await store.get('OPENAI_API_KEY')).toBe('sk-stored-earlier-0123456789');
  });
});

describe('probeKeychain', () => {
  it('reports the failure message of an unavailable keychain', async () => {
    expect(await probeKeychain(unavailableKeyring)).toEqual({
      ok: false,
      reason: "Couldn't access platform storage: AccessDenied",
    });
  });
});
