import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CurveConfig } from '../config/types.js';
import { scrubSecrets } from '../security/redact.js';
import { EncryptedFileStore } from './encrypted-file-store.js';
import { resolveCurveClientKeys, resolveCurveServerKeys } from './resolve-curve-keys.js';

const SERVER_PUBLIC = 'I5-]@+K{2qZT5-rnkG:f[3X7?hs:Ms5%Ya0f=^!}';
const SERVER_SECRET = '3UgOLAdl9kMadVlN1xj:Nw+M3/JVs>r#9[n<3bTp';
const CLIENT_PUBLIC = 'nG+22(<<]ZZfycA0zYBlc<YDkxeY%@d@t$}Ngw!e';
const CLIENT_SECRET = 'RlASCg+8wxLyqIEt&GZ>qR?#VS33C4g}VN<:PQ4i';

const curve: CurveConfig = {
  serverPublicKey: SERVER_PUBLIC,
  serverSecretKey: { kind: 'store', name: 'SERVER' },
  clientPublicKey: CLIENT_PUBLIC,
  clientSecretKey: { kind: 'env', name: 'GW_CLIENT' },
};

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-curve-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('resolveCurveServerKeys / resolveCurveClientKeys', () => {
  it('reads the server secret from the store and the client secret from the environment', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('SERVER', SERVER_SECRET);
    const server = await resolveCurveServerKeys(curve, {
      home,
      env: {},
      openStore: () => Promise.resolve(store),
    });
    expect(server).toEqual({
      publicKey: SERVER_PUBLIC,
      secretKey: SERVER_SECRET,
      clientPublicKeys: [CLIENT_PUBLIC],
    });
    let opened = false;
    const client = await resolveCurveClientKeys(curve, {
      home,
      env: { GW_CLIENT: CLIENT_SECRET },
      openStore: () => {
        opened = true;
        return Promise.resolve(store);
      },
    });
    expect(client).toEqual({
      serverPublicKey: SERVER_PUBLIC,
      publicKey: CLIENT_PUBLIC,
      secretKey: CLIENT_SECRET,
    });
    // An env reference never opens the store.
    expect(opened).toBe(false);
    // Both secret keys are now scrubbed from anything logged.
    expect(scrubSecrets(`a ${SERVER_SECRET} b ${CLIENT_SECRET}`)).toBe('a [redacted] b [redacted]');
  });

  it('refuses a value that is not a CURVE key, without repeating it', async () => {
    const attempt = resolveCurveClientKeys(curve, {
      home,
      env: { GW_CLIENT: 'not-a-curve-key-but-secret' },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(attempt).rejects.toThrow(/\$\{env:GW_CLIENT\} \(supervisor\.curve\)/);
    await expect(attempt).rejects.not.toThrow(/not-a-curve-key-but-secret/);
  });

  it('says how to provide a missing secret', async () => {
    await expect(
      resolveCurveServerKeys(curve, {
        home,
        env: {},
        openStore: async () => new EncryptedFileStore(home),
      }),
    ).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
      message: expect.stringContaining('keys set SERVER'),
    });
  });
});
