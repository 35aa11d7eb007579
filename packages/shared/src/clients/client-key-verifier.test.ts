import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientKeyVerifier } from './client-key-verifier.js';
import { createClientKey, hashClientKey } from './client-keys.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-verify-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('ClientKeyVerifier', () => {
  it('identifies the client of a valid key, with its model list', async () => {
    const ci = await createClientKey(home, 'ci', { models: ['qwen-7b'] });
    const laptop = await createClientKey(home, 'laptop');
    const verifier = await ClientKeyVerifier.load(home);
    expect(verifier.size).toBe(2);
    expect(verifier.verify(ci.key)).toEqual({ name: 'ci', models: ['qwen-7b'] });
    expect(verifier.verify(laptop.key)).toEqual({ name: 'laptop' });
  });

  it("lists every key's name, models and limits, never a hash", async () => {
    await createClientKey(home, 'ci', { models: ['qwen-7b'], limits: { rpm: 5 } });
    await createClientKey(home, 'laptop');
    const verifier = await ClientKeyVerifier.load(home);
    const identities = verifier.identities();
    expect(identities).toEqual([
      { name: 'ci', models: ['qwen-7b'], limits: { rpm: 5 } },
      { name: 'laptop' },
    ]);
    identities[0]!.models!.push('other'); // a copy: the verifier's own list is unchanged
    expect(verifier.identities()[0]!.models).toEqual(['qwen-7b']);
  });

  it('refuses unknown, altered, truncated and empty keys', async () => {
    const { key } = await createClientKey(home, 'ci');
    const verifier = await ClientKeyVerifier.load(home);
    const altered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(verifier.verify(altered)).toBeUndefined();
    expect(verifier.verify(key.slice(0, -1))).toBeUndefined();
    expect(verifier.verify(`${key} `)).toBeUndefined();
    expect(verifier.verify('mgw-not-a-real-key')).toBeUndefined();
    expect(verifier.verify('')).toBeUndefined();
  });

  it('refuses everything when there is no clients.json', async () => {
    const verifier = await ClientKeyVerifier.load(home);
    expect(verifier.size).toBe(0);
    expect(verifier.verify('mgw-anything')).toBeUndefined();
  });

  it('compares against every stored hash, whichever one matches', () => {
    const records = ['a', 'b', 'c'].map((name) => ({
      name,
      hash: hashClientKey(`mgw-key-of-${name}`),
      prefix: 'mgw-key-',
      createdAt: '2026-01-01T00:00:00.000Z',
    }));
    const verifier = new ClientKeyVerifier(records);
    expect(verifier.verify('mgw-key-of-a')).toEqual({ name: 'a' });
    expect(verifier.verify('mgw-key-of-c')).toEqual({ name: 'c' });
  });

  it('returns copies, so a caller cannot change the allowed models', async () => {
    const { key } = await createClientKey(home, 'ci', { models: ['qwen-7b'] });
    const verifier = await ClientKeyVerifier.load(home);
    verifier.verify(key)?.models?.push('gpt-4o');
    expect(verifier.verify(key)).toEqual({ name: 'ci', models: ['qwen-7b'] });
  });
});
