import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortAllocator, portIsFree } from './port-allocator.js';

const ranges = { gateway: { from: 10300, to: 10302 }, operator: { from: 10240, to: 10241 } };

describe('port allocator', () => {
  it('draws gateway and operator ports from their own ranges and never hands out a port twice', async () => {
    const ports = new PortAllocator(ranges, async () => true);
    const got = await Promise.all([
      ports.allocate('gateway'),
      ports.allocate('gateway'),
      ports.allocate('gateway'),
    ]);
    expect(new Set(got)).toEqual(new Set([10300, 10301, 10302]));
    expect(await ports.allocate('gateway')).toBeUndefined();
    expect(await ports.allocate('operator')).toBe(10240);
    ports.release(10301);
    expect(await ports.allocate('gateway')).toBe(10301);
  });

  it('skips a port that something else holds', async () => {
    const busy = new Set([10300]);
    const ports = new PortAllocator(ranges, async (p) => !busy.has(p));
    expect(await ports.allocate('gateway')).toBe(10301);
  });

  it('skips reserved (adopted) ports', async () => {
    const ports = new PortAllocator(ranges, async () => true);
    ports.reserve(10300);
    expect(await ports.allocate('gateway')).toBe(10301);
  });

  it('portIsFree sees a real listener', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    expect(await portIsFree(port)).toBe(false);
    server.close();
    await once(server, 'close');
    expect(await portIsFree(port)).toBe(true);
  });
});
