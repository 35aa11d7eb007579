import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent, Client, Pool, buildConnector } from './index.js';

const run = promisify(execFile);
const built = fileURLToPath(new URL('../../dist/undici/index.js', import.meta.url));

describe('@mlx-gateway/shared/undici', () => {
  it("is undici's own classes, with the request API on them", async () => {
    expect(Pool).toBe(undici.Pool);
    expect(Agent).toBe(undici.Agent);
    expect(Client).toBe(undici.Client);
    expect(buildConnector).toBe(undici.buildConnector);

    const server = createServer((_req, res) => res.end('pong'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const res = await pool.request({ path: '/', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('pong');
    } finally {
      await pool.close();
      server.close();
    }
  });

  it("does not load undici's entry point (fetch, WebSocket, caches, mocks)", async () => {
    // A fresh process: this one has loaded undici's entry point above.
    const script = `
      const { createRequire } = await import('node:module');
      await import(${JSON.stringify(built)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({
        entry: loaded.some((f) => /[\\\\/]undici[\\\\/]index\\.js$/.test(f)),
        fetch: loaded.some((f) => /[\\\\/]undici[\\\\/]lib[\\\\/]web[\\\\/]fetch[\\\\/]/.test(f)),
        pool: loaded.some((f) => /[\\\\/]undici[\\\\/]lib[\\\\/]dispatcher[\\\\/]pool\\.js$/.test(f)),
      }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ entry: false, fetch: false, pool: true });
  });
});
