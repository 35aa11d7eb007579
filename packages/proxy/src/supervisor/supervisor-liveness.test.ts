import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeControlEndpoint } from './supervisor-liveness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlx-liveness-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function listenOn(path: string): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  server.listen(path);
  await once(server, 'listening');
  return server;
}

describe('probeControlEndpoint', () => {
  it('says gone when the socket file does not exist', async () => {
    const dir = await tempDir();
    expect(await probeControlEndpoint(`ipc://${join(dir, 'control.sock')}`)).toBe('gone');
  });

  it('says gone for a socket file nobody listens on (a killed supervisor leaves one)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'control.sock');
    const server = await listenOn(path);
    // Closing a listening socket normally unlinks its file; a stand-in for a stale one is a
    // file that is no socket at all, which a connect also refuses.
    server.close();
    await writeFile(path, '');
    expect(await probeControlEndpoint(`ipc://${path}`)).toBe('gone');
  });

  it('says maybe while something listens, and for endpoints it cannot check', async () => {
    const dir = await tempDir();
    const path = join(dir, 'control.sock');
    const server = await listenOn(path);
    cleanups.push(() => new Promise((r) => server.close(r)));
    expect(await probeControlEndpoint(`ipc://${path}`)).toBe('maybe');
    expect(await probeControlEndpoint('tcp://127.0.0.1:1')).toBe('maybe');
    expect(await probeControlEndpoint('ipc://@abstract')).toBe('maybe');
  });
});
