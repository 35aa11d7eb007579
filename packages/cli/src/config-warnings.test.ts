import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClientKey, removeClientKey } from '@mlx-gateway/shared/clients';
import { loadConfig } from '@mlx-gateway/shared/config';
import { configWarnings } from './config-warnings.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mgw-warnings-'));
  writeFileSync(join(home, 'config.yaml'), 'listen: 0.0.0.0:18080\nmodels: {}\n');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('configWarnings: a non-loopback listen and client keys', () => {
  it('says the gateway will not start without clients.json', async () => {
    const warnings = await configWarnings(loadConfig({ home }), undefined, {});
    expect(warnings).toEqual([
      'listen: 0.0.0.0:18080 is not loopback and there are no client keys: `mlx-gateway up` will refuse to start; create one with `mlx-gateway keys create-client NAME` or listen on 127.0.0.1',
    ]);
  });

  it('says every request gets 401 once the last key was revoked', async () => {
    await createClientKey(home, 'only');
    await removeClientKey(home, 'only');
    const warnings = await configWarnings(loadConfig({ home }), undefined, {});
    expect(warnings).toEqual([
      'listen: 0.0.0.0:18080: no client key is left in clients.json, so the gateway will answer 401 to every request; create one with `mlx-gateway keys create-client NAME`',
    ]);
  });
});
