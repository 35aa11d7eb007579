import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { countBodyBytes } from './body-bytes.js';

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('countBodyBytes', () => {
  it('counts strings (by their encoding) and buffers through write() and end(), not headers', async () => {
    const counted: number[] = [];
    const server = createServer((_req, res) => {
      const bytes = countBodyBytes(res);
      finished(res, () => counted.push(bytes()));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('héllo ');
      res.write(Buffer.from('world'));
      res.write('6869', 'hex');
      res.end(' ✓');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const res = await request(`http://127.0.0.1:${port}/`);
    const body = Buffer.from(await res.body.arrayBuffer());
    await expect.poll(() => counted).toEqual([body.length]);
    expect(body.toString()).toBe('héllo worldhi ✓');
  });
});
