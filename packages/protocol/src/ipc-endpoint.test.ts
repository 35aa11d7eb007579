import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventPublisher } from './event-publisher.js';
import { ipcPath, prepareIpcEndpoint } from './ipc-endpoint.js';
import { SocketFixture } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

describe('ipc endpoints', () => {
  it('reads the file path of ipc endpoints only', () => {
    expect(ipcPath('ipc:///run/gw/control.sock')).toBe('/run/gw/control.sock');
    expect(ipcPath('ipc://@abstract')).toBeUndefined();
    expect(ipcPath('tcp://127.0.0.1:5555')).toBeUndefined();
  });

  it('refuses to replace a file that is not a socket', async () => {
    const endpoint = fixture.endpoint('notes');
    await writeFile(ipcPath(endpoint)!, 'precious');
    await expect(prepareIpcEndpoint(endpoint)).rejects.toMatchObject({ code: 'ENDPOINT_IN_USE' });
    expect(existsSync(ipcPath(endpoint)!)).toBe(true);
  });

  it('removes the socket file when the binding side closes', async () => {
    const publisher = new EventPublisher({
      endpoint: fixture.endpoint('events'),
      incarnation: 'i',
    });
    await publisher.start();
    expect(existsSync(ipcPath(publisher.endpoint)!)).toBe(true);
    const path = ipcPath(publisher.endpoint)!;
    await publisher.close();
    expect(existsSync(path)).toBe(false);
  });
});
