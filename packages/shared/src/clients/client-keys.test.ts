import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scrubSecrets } from '../security/redact.js';
import { ClientKeyVerifier } from './client-key-verifier.js';
import { createClientKey, hashClientKey, listClientKeys, removeClientKey } from './client-keys.js';

let root: string;
let home: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mgw-clients-'));
  home = join(root, 'home');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('client keys', () => {
  it('creates an mgw- key of 32 random bytes, shown once and stored only as a hash', async () => {
    const { name, key } = await createClientKey(home, 'editor');
    expect(name).toBe('editor');
    expect(key).toMatch(/^mgw-[A-Za-z0-9_-]{43}$/);

    const file = join(home, 'clients.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(4));
    expect(text).toContain(hashClientKey(key));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
  });

  it('registers the new key for scrubbing, so printing it by mistake logs nothing', async () => {
    const { key } = await createClientKey(home, 'cli');
    expect(scrubSecrets(`created ${key}`)).toBe('created [redacted]');
  });

  it('makes a different key every time', async () => {
    const a = await createClientKey(home, 'a');
    const b = await createClientKey(home, 'b');
    expect(a.key).not.toBe(b.key);
  });

  it('lists names, display prefixes, models and creation time, never hash or key', async () => {
    const { key } = await createClientKey(home, 'ci', { models: ['qwen-7b', 'gpt-4o'] });
    await createClientKey(home, 'laptop');
    const listed = await listClientKeys(home);
    expect(listed).toEqual([
      {
        name: 'ci',
        prefix: key.slice(0, 5),
        models: ['qwen-7b', 'gpt-4o'],
        createdAt: expect.any(String) as unknown,
      },
      {
        name: 'laptop',
        prefix: expect.stringMatching(/^mgw-.$/) as unknown,
        createdAt: expect.any(String) as unknown,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(hashClientKey(key));
  });

  it('refuses a duplicate name, a bad name and an empty model list', async () => {
    await createClientKey(home, 'editor');
    await expect(createClientKey(home, 'editor')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
    await expect(createClientKey(home, 'has space')).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
    await expect(createClientKey(home, 'x', { models: [] })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_REQUEST,
    });
  });

  it('removes a key, after which it no longer verifies', async () => {
    const { key } = await createClientKey(home, 'old');
    expect((await ClientKeyVerifier.load(home)).verify(key)).toEqual({ name: 'old' });
    expect(await removeClientKey(home, 'old')).toBe(true);
    expect(await removeClientKey(home, 'old')).toBe(false);
    expect(await listClientKeys(home)).toEqual([]);
    expect((await ClientKeyVerifier.load(home)).verify(key)).toBeUndefined();
  });

  it('keeps every key created concurrently', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    await Promise.all(names.map((n) => createClientKey(home, n)));
    expect((await listClientKeys(home)).map((k) => k.name).sort()).toEqual(names);
  });

  it('reports a damaged clients.json as CONFIG_INVALID', async () => {
    await createClientKey(home, 'x');
    await writeFile(
      join(home, 'clients.json'),
      '{"version":1,"clients":[{"name":"x","hash":"nothex"}]}',
    );
    await expect(listClientKeys(home)).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID });
  });
});
