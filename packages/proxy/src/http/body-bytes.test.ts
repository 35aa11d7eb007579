import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { bodyBytesFrom } from './body-bytes.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('bodyBytesFrom', () => {
  it('measures the body bytes of each answer on a kept-alive connection, headers left out', async () => {
    const counted: number[] = [];
    const bodies = ['{"data":["héllo ✓"]}', 'x'.repeat(70_000)];
    let n = 0;
    const server = createServer((_req, res) => {
      const bytes = bodyBytesFrom(res);
      finished(res, () => counted.push(bytes()));
      const body = bodies[n++ % bodies.length]!;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-extra': 'a header that is not body',
      });
      res.end(body);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ connections: 1 });
    const sizes: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request(`http://127.0.0.1:${port}/`, { dispatcher: agent });
      sizes.push((await res.body.arrayBuffer()).byteLength);
    }
    await agent.close();
    await expect.poll(() => counted).toEqual(sizes);
    expect(sizes).toEqual(bodies.map((b) => Buffer.byteLength(b)));
  });
});
