import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileConfigApplier } from './config-apply.js';
import type { ReloadCommand } from './dashboard-deps.js';
import type { ReloadReport } from '@mlx-gateway/protocol';
import { reloadReport } from '../testing/reload-report.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setup(reload: (c: ReloadCommand) => Promise<ReloadReport>) {
  dir = await mkdtemp(join(tmpdir(), 'dash-apply-'));
  const file = join(dir, 'config.yaml');
  await writeFile(file, 'listen: 127.0.0.1:8000\n');
  const sent: ReloadCommand[] = [];
  const applier = fileConfigApplier({
    file,
    home: dir,
    env: {},
    sendReload: (command) => {
      sent.push(command);
      return reload(command);
    },
  });
  return { file, sent, applier };
}

describe('applying an edited config', () => {
  it('shows what the reload changed: models, settings applied, settings that need a restart', async () => {
    const { applier } = await setup(() =>
      Promise.resolve(
        reloadReport({
          changed: true,
          models: { added: ['new'], removed: [], restarted: ['qwen'], updated: [], unchanged: [] },
          applied: [{ path: 'supervisor.maxLoadedModels' }],
          needsRestart: [
            { path: 'listen', note: 'the proxy listens on its address from its start' },
          ],
        }),
      ),
    );
    const report = await applier.applyConfig('listen: 127.0.0.1:9000');
    expect(report.messages).toEqual(
      expect.arrayContaining([
        'models added: new',
        'models restarted: qwen',
        'applied: supervisor.maxLoadedModels',
        'needs a restart (down, then up): listen (the proxy listens on its address from its start)',
      ]),
    );
  });

  it('writes a valid config (mode 0600) and sends the reload command', async () => {
    const { file, sent, applier } = await setup(() => Promise.resolve(reloadReport()));
    const report = await applier.applyConfig('listen: 127.0.0.1:9000');
    expect(report.ok).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:9000\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(sent).toEqual([{ cmd: 'reload' }]);
  });

  it('leaves the file alone when the text is invalid, with each problem at its line', async () => {
    const { file, sent, applier } = await setup(() => Promise.resolve(reloadReport()));
    const report = await applier.applyConfig(
      'listen: 127.0.0.1:9000\nproxy:\n  heartbeat: often\n',
    );
    expect(report.ok).toBe(false);
    expect(report.messages.join('\n')).toMatch(/^line 3: /m);
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:8000\n');
    expect(sent).toEqual([]);
  });

  it('refuses a text that still holds a masked secret', async () => {
    const { file, applier } = await setup(() => Promise.resolve(reloadReport()));
    const report = await applier.applyConfig('listen: 127.0.0.1:9000 # [redacted]\n');
    expect(report.ok).toBe(false);
    expect(report.messages[0]).toContain('[redacted]');
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:8000\n');
  });

  it('says when the reload was refused, the file being saved', async () => {
    const { file, applier } = await setup(() =>
      Promise.reject(new Error('unknown command reload')),
    );
    const report = await applier.applyConfig('listen: 127.0.0.1:9001\n');
    expect(report.ok).toBe(false);
    expect(report.messages.join('\n')).toContain('unknown command reload');
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:9001\n');
  });
});
