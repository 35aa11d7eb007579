import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { EncryptedFileStore } from './encrypted-file-store.js';

const KEY = 'sk-proj-EncryptedAtRest0123456789abcdefXYZ';

let root: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mgw-secrets-'));
  home = join(root, 'home');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

type SecretsJson = Record<string, { iv: string; tag: string; data: string }>;

async function readJson(): Promise<SecretsJson> {
  return JSON.parse(await readFile(join(home, 'secrets.enc'), 'utf8')) as SecretsJson;
}

describe('EncryptedFileStore', () => {
  it('stores, reads, lists, overwrites and deletes secrets', async () => {
    const store = new EncryptedFileStore(home);
    expect(store.kind).toBe('encrypted-file');
    await store.set('OPENAI_API_KEY', KEY);
    await store.set('anthropic', 'sk-ant-second-value-0123456789');
    expect(await store.get('OPENAI_API_KEY')).toBe(KEY);
    expect(await store.list()).toEqual(['OPENAI_API_KEY', 'anthropic']);
    await store.set('anthropic', 'replaced-value-123');
    expect(await new EncryptedFileStore(home).get('anthropic')).toBe('replaced-value-123');
    expect(await store.delete('anthropic')).toBe(true);
    expect(await store.delete('anthropic')).toBe(false);
    expect(await store.get('anthropic')).toBeUndefined();
    expect(await store.list()).toEqual(['OPENAI_API_KEY']);
  });

  it('writes files 0600 in a 0700 directory, with no plaintext and no temp files left', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('OPENAI_API_KEY', KEY);
    expect(await mode(home)).toBe(0o700);
    expect(await mode(join(home, 'secrets.enc'))).toBe(0o600);
    expect(await mode(join(home, 'secret.key'))).toBe(0o600);
    expect(await readFile(join(home, 'secrets.enc'), 'utf8')).not.toContain(KEY);
    expect((await readdir(home)).sort()).toEqual(['secret.key', 'secrets.enc']);
  });

  it('uses a fresh IV for every value', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('a', KEY);
    await store.set('b', KEY);
    const file = await readJson();
    expect(Buffer.from(file['a']?.iv ?? '', 'base64')).toHaveLength(12);
    expect(file['a']?.iv).not.toBe(file['b']?.iv);
    expect(file['a']?.data).not.toBe(file['b']?.data);
  });

  it('reads nothing and creates nothing when the home is empty', async () => {
    const store = new EncryptedFileStore(home);
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.hasSecrets()).toBe(false);
    await expect(stat(home)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses tampered data with a clear error that echoes no value', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('OPENAI_API_KEY', KEY);
    const file = await readJson();
    const data = Buffer.from(file['OPENAI_API_KEY']?.data ?? '', 'base64');
    data[0] = (data[0] ?? 0) ^ 0x01;
    file['OPENAI_API_KEY'] = { ...file['OPENAI_API_KEY']!, data: data.toString('base64') };
    await writeFile(join(home, 'secrets.enc'), JSON.stringify(file));

    const err = await failure(new EncryptedFileStore(home).get('OPENAI_API_KEY'));
    expect(err.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(err.message).toMatch(
      /secret "OPENAI_API_KEY" .* cannot be decrypted: the file was altered or the key/,
    );
    expect(err.message).not.toContain(KEY);
  });

  it('refuses a value moved under another name (the name is authenticated)', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('cheap', 'value-of-cheap-key');
    await store.set('expensive', KEY);
    const file = await readJson();
    file['cheap'] = file['expensive']!;
    await writeFile(join(home, 'secrets.enc'), JSON.stringify(file));
    const err = await failure(new EncryptedFileStore(home).get('cheap'));
    expect(err.message).not.toContain(KEY);
  });

  it('refuses to open with the wrong key', async () => {
    await new EncryptedFileStore(home).set('OPENAI_API_KEY', KEY);
    await writeFile(join(home, 'secret.key'), randomBytes(32).toString('base64'));
    const err = await failure(new EncryptedFileStore(home).get('OPENAI_API_KEY'));
    expect(err.message).toContain('secret.key');
    expect(err.message).not.toContain(KEY);
  });

  it('reports a corrupt file without quoting its content', async () => {
    await new EncryptedFileStore(home).set('x', 'value-one-1234');
    await writeFile(join(home, 'secrets.enc'), `{"x": ${KEY}`);
    const err = await failure(new EncryptedFileStore(home).list());
    expect(err.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).not.toContain(KEY);
  });

  it('explains a missing key file instead of making a new key that opens nothing', async () => {
    await new EncryptedFileStore(home).set('x', 'value-one-1234');
    await rm(join(home, 'secret.key'));
    const err = await failure(new EncryptedFileStore(home).get('x'));
    expect(err.message).toMatch(/key file .*secret\.key is missing/);
  });

  it('takes the key from MLX_GATEWAY_SECRET_KEY when given, writing no key file', async () => {
    const envKey = randomBytes(32).toString('base64');
    await new EncryptedFileStore(home, { keyFromEnv: envKey }).set('OPENAI_API_KEY', KEY);
    expect(await readdir(home)).toEqual(['secrets.enc']);
    expect(await new EncryptedFileStore(home, { keyFromEnv: envKey }).get('OPENAI_API_KEY')).toBe(
      KEY,
    );

    const other = randomBytes(32).toString('base64');
    const err = await failure(
      new EncryptedFileStore(home, { keyFromEnv: other }).get('OPENAI_API_KEY'),
    );
    expect(err.message).toContain('MLX_GATEWAY_SECRET_KEY');
  });

  it('rejects an env key that is not 32 bytes of base64', async () => {
    const store = new EncryptedFileStore(home, { keyFromEnv: 'c2hvcnQ=' });
    const err = await failure(store.set('x', 'value-one-1234'));
    expect(err.message).toMatch(/MLX_GATEWAY_SECRET_KEY must hold 32 bytes/);
  });

  it('tightens a key file that became readable by others', async () => {
    const store = new EncryptedFileStore(home);
    await store.set('x', 'value-one-1234');
    await chmod(join(home, 'secret.key'), 0o644);
    expect(await new EncryptedFileStore(home).get('x')).toBe('value-one-1234');
    expect(await mode(join(home, 'secret.key'))).toBe(0o600);
  });

  it('keeps every one of many concurrent writes', async () => {
    const store = new EncryptedFileStore(home);
    const names = Array.from({ length: 12 }, (_, i) => `key-${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((name) => store.set(name, `value-for-${name}`)));
    expect(await store.list()).toEqual(names);
    expect(await store.get('key-07')).toBe('value-for-key-07');
  });

  it('rejects bad names and empty values', async () => {
    const store = new EncryptedFileStore(home);
    await expect(store.set('../escape', 'value-one-1234')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
    await expect(store.set('ok', '')).rejects.toMatchObject({ code: ErrorCodes.INVALID_REQUEST });
  });
});
