import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { scrubSecrets } from '../security/redact.js';
import { EncryptedFileStore } from './encrypted-file-store.js';
import { resolveSecret } from './resolve-secret.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-resolve-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe('resolveSecret', () => {
  it('reads an env reference and registers the value for scrubbing', async () => {
    const value = 'unusual:shape:env:key:0042';
    expect(scrubSecrets(`sent ${value}`)).toContain(value);
    const resolved = await resolveSecret(
      { kind: 'env', name: 'MY_KEY' },
      { env: { MY_KEY: value } },
    );
    expect(resolved).toBe(value);
    expect(scrubSecrets(`sent ${value}`)).toBe('sent [redacted]');
  });

  it('reads a store reference and registers the value for scrubbing', async () => {
    const store = new EncryptedFileStore(home);
    const value = 'another~odd~store~key~77';
    await store.set('vllm', value);
    expect(await resolveSecret({ kind: 'store', name: 'vllm' }, { store, env: {} })).toBe(value);
    expect(scrubSecrets(value)).toBe('[redacted]');
  });

  it('explains how to provide a missing env variable, as SECRET_NOT_FOUND', async () => {
    const err = await failure(
      resolveSecret({ kind: 'env', name: 'OPENAI_API_KEY' }, { env: { OPENAI_API_KEY: '' } }),
    );
    expect(err.code).toBe(ErrorCodes.SECRET_NOT_FOUND);
    expect(err.message).toMatch(
      /environment variable OPENAI_API_KEY is not set; export OPENAI_API_KEY=/,
    );
    expect(err.message).toContain('mlx-gateway keys set OPENAI_API_KEY');
  });

  it('explains how to add a missing stored secret, and shows no other value', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('other', 'sk-other-value-0123456789abcdef');
    const err = await failure(resolveSecret({ kind: 'store', name: 'openai' }, { store }));
    expect(err.code).toBe(ErrorCodes.SECRET_NOT_FOUND);
    expect(err.message).toBe(
      'secret "openai" is not in the encrypted-file store; add it with `mlx-gateway keys set openai` (the key is read from stdin)',
    );
  });

  it('fails clearly when a store reference has no store to read', async () => {
    const err = await failure(resolveSecret({ kind: 'store', name: 'openai' }, {}));
    expect(err.code).toBe(ErrorCodes.SECRET_NOT_FOUND);
  });
});
