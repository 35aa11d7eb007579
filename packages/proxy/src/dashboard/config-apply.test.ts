import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileConfigApplier } from './config-apply.js';
import type { ReloadCommand } from './dashboard-deps.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setup(reload: (c: ReloadCommand) => Promise<unknown>) {
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
  it('writes a valid config (mode 0600) and sends the reload command', async () => {
    const { file, sent, applier } = await setup(() => Promise.resolve({}));
    const report = await applier.applyConfig('listen: 127.0.0.1:9000');
    expect(report.ok).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:9000\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(sent).toEqual([{ cmd: 'reload' }]);
  });

  it('leaves the file alone when the text is invalid, with each problem at its line', async () => {
    const { file, sent, applier } = await setup(() => Promise.resolve({}));
    const report = await applier.applyConfig(
      'listen: 127.0.0.1:9000\nproxy:\n  heartbeat: often\n',
    );
    expect(report.ok).toBe(false);
    expect(report.messages.join('\n')).toMatch(/^line 3: /m);
    expect(await readFile(file, 'utf8')).toBe('listen: 127.0.0.1:8000\n');
    expect(sent).toEqual([]);
  });

  it('refuses a text that still holds a masked secret', async () => {
    const { file, applier } = await setup(() => Promise.resolve({}));
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
