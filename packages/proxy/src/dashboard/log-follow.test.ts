import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import { gatewayConfig, localModel } from '../testing/test-config.js';
import { LogFollower, logSources } from './log-follow.js';

let dir: string | undefined;
let follower: LogFollower | undefined;
afterEach(async () => {
  follower?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function follow(initial: string) {
  dir = await mkdtemp(join(tmpdir(), 'dash-log-'));
  const file = join(dir, 'm.log');
  await writeFile(file, initial);
  const got: string[] = [];
  follower = new LogFollower(file, (text) => got.push(text), 5);
  await follower.start();
  return { file, got, text: () => got.join('') };
}

describe('following a log', () => {
  it('sends the tail, then whole lines as they are appended', async () => {
    const { file, text } = await follow('one\ntwo\n');
    expect(text()).toBe('one\ntwo\n');
    await appendFile(file, 'three\nfou');
    await waitUntil(() => text().includes('three'));
    expect(text()).toBe('one\ntwo\nthree\n');
    await appendFile(file, 'r\n');
    await waitUntil(() => text().endsWith('four\n'));
  });

  it('starts a long log at a line within its last 64 KiB', async () => {
    const line = `${'x'.repeat(99)}\n`;
    const { text } = await follow(`${line.repeat(1_000)}last\n`);
    expect(text().length).toBeLessThanOrEqual(64 * 1024);
    expect(text().startsWith('x')).toBe(true);
    expect(text().endsWith('last\n')).toBe(true);
  });

  it('reads a truncated log again from its start', async () => {
    const { file, text } = await follow('old line\n');
    await truncate(file, 0);
    await appendFile(file, 'new\n');
    await waitUntil(() => text().endsWith('new\n'));
  });

  it('names each local model log and the gateway logs', () => {
    const config = gatewayConfig([localModel('qwen/7b')]);
    expect(logSources(config).map((s) => [s.id, s.file.split('/').at(-1)])).toEqual([
      ['model:qwen/7b', 'qwen_7b.log'],
      ['gateway:proxy', 'proxy.log'],
      ['gateway:supervisor', 'supervisor.log'],
    ]);
  });
});
