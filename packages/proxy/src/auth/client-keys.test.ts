import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClientKey, removeClientKey } from '@mlx-gateway/shared/clients';
import { RecordingLogger } from '../testing/recording-logger.js';
import { waitUntil } from '../testing/wait-until.js';
import { ClientKeys } from './client-keys.js';

let home: string;
const opened: ClientKeys[] = [];
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mgw-clientkeys-'));
});
afterEach(async () => {
  for (const keys of opened.splice(0)) keys.close();
  await rm(home, { recursive: true, force: true });
});

async function open(logger = new RecordingLogger()): Promise<ClientKeys> {
  const keys = await ClientKeys.open({ home, logger });
  opened.push(keys);
  return keys;
}

describe('ClientKeys', () => {
  it('requires nothing while no client key exists', async () => {
    const keys = await open();
    expect(keys.required).toBe(false);
    expect(keys.verify('mgw-anything')).toBeUndefined();
  });

  it('verifies keys from clients.json, with their model lists', async () => {
    const all = await createClientKey(home, 'laptop');
    const limited = await createClientKey(home, 'ci', { models: ['small'] });
    const keys = await open();
    expect(keys.required).toBe(true);
    expect(keys.verify(all.key)).toEqual({ name: 'laptop' });
    expect(keys.verify(limited.key)).toEqual({ name: 'ci', models: ['small'] });
    expect(keys.verify(`${all.key}x`)).toBeUndefined();
  });

  it('picks up a key added and a key revoked while running, through the file watch', async () => {
    const first = await createClientKey(home, 'first');
    const keys = await open();
    keys.watch();
    const second = await createClientKey(home, 'second');
    await waitUntil(() => keys.verify(second.key) !== undefined);
    await removeClientKey(home, 'first');
    await waitUntil(() => keys.verify(first.key) === undefined);
    expect(keys.verify(second.key)).toEqual({ name: 'second' });
  });

  it('starts requiring keys when the first one is created after start-up', async () => {
    const keys = await open();
    keys.watch();
    const created = await createClientKey(home, 'late');
    await waitUntil(() => keys.required && keys.verify(created.key) !== undefined);
  });

  it('stays closed when every key is removed or the file breaks', async () => {
    const only = await createClientKey(home, 'only');
    const logger = new RecordingLogger();
    const keys = await open(logger);
    await removeClientKey(home, 'only');
    await keys.reload();
    expect(keys.required).toBe(true);
    expect(keys.verify(only.key)).toBeUndefined();

    const again = await createClientKey(home, 'again');
    await keys.reload();
    expect(keys.verify(again.key)).toEqual({ name: 'again' });
    await writeFile(join(home, 'clients.json'), '{ not json');
    await keys.reload();
    expect(keys.required).toBe(true);
    expect(keys.verify(again.key)).toBeUndefined();
    expect(
      logger.lines.some((l) => l.level === 'error' && /cannot be read/.test(l.msg ?? '')),
    ).toBe(true);
  });

  it('starts closed on a clients.json whose last key was revoked, as keys list-clients says', async () => {
    await createClientKey(home, 'only');
    await removeClientKey(home, 'only');
    const keys = await open();
    expect(keys.size).toBe(0);
    expect(keys.required).toBe(true);
  });

  it('refuses to start on an unreadable clients.json', async () => {
    await writeFile(join(home, 'clients.json'), '[]');
    await expect(ClientKeys.open({ home, logger: new RecordingLogger() })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
