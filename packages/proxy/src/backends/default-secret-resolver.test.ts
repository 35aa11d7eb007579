import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedFileStore } from '@mlx-gateway/shared/secrets';
import { scrubSecrets } from '@mlx-gateway/shared/security';
import type { SecretStore } from '@mlx-gateway/shared/secrets';
import { defaultSecretResolver } from './default-secret-resolver.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-resolver-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('defaultSecretResolver', () => {
  it('reads ${secret:NAME} from the store and ${env:NAME} from the environment, registering both for scrubbing', async () => {
    const stored = `stored-${'q'.repeat(20)}-unusual`;
    const fromEnv = `env-${'w'.repeat(20)}-unusual`;
    const store = new EncryptedFileStore(home);
    await store.set('UPSTREAM', stored);
    let opened = 0;
    const resolve = defaultSecretResolver(home, {
      env: { UPSTREAM_ENV: fromEnv },
      openStore: () => {
        opened++;
        return Promise.resolve(store);
      },
    });
    expect(await resolve({ kind: 'env', name: 'UPSTREAM_ENV' })).toBe(fromEnv);
    expect(opened).toBe(0);
    expect(await resolve({ kind: 'store', name: 'UPSTREAM' })).toBe(stored);
    expect(await resolve({ kind: 'store', name: 'UPSTREAM' })).toBe(stored);
    expect(opened).toBe(1);
    expect(scrubSecrets(`${stored} and ${fromEnv}`)).toBe('[redacted] and [redacted]');
  });

  it('opens the store again after a failed open', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('K', 'value-of-k-0123456789');
    const attempts: Array<() => Promise<SecretStore>> = [
      () => Promise.reject(new Error('keychain locked')),
      () => Promise.resolve(store),
    ];
    const resolve = defaultSecretResolver(home, { openStore: () => attempts.shift()!() });
    await expect(resolve({ kind: 'store', name: 'K' })).rejects.toThrow('keychain locked');
    await expect(resolve({ kind: 'store', name: 'K' })).resolves.toBe('value-of-k-0123456789');
  });

  it('says how to add a missing secret, naming it but no value', async () => {
    const resolve = defaultSecretResolver(home, {
      openStore: () => Promise.resolve(new EncryptedFileStore(home)),
    });
    await expect(resolve({ kind: 'store', name: 'MISSING_KEY' })).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
      message: expect.stringContaining('mlx-gateway keys set MISSING_KEY'),
    });
  });
});
