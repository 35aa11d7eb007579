import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { portAccepts, probeHealth, probeReadiness } from './health-probe.js';

const servers: Server[] = [];

async function serve(status: number): Promise<number> {
  const server = createServer((_req, res) => res.writeHead(status).end('{}'));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A port that was free a moment ago. */
async function closedPort(): Promise<number> {
  const port = await serve(200);
  const server = servers.pop()!;
  server.close();
  await once(server, 'close');
  return port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('readiness probe', () => {
  it('tells an open port from a closed one without HTTP', async () => {
    expect(await portAccepts(await serve(200), 1_000)).toBe(true);
    expect(await portAccepts(await closedPort(), 1_000)).toBe(false);
  });

  it('probes /health only once the port is open', async () => {
    expect(await probeReadiness(await closedPort(), '/health', 1_000)).toEqual({
      ok: false,
      listening: false,
    });
    expect(await probeReadiness(await serve(503), '/health', 1_000)).toEqual({
      ok: false,
      listening: true,
    });
    expect(await probeReadiness(await serve(200), '/health', 1_000)).toEqual({
      ok: true,
      listening: true,
    });
  });

  it('counts a /health that does not answer within the timeout as not ready', async () => {
    const server = createServer(() => {
      // never answers
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const started = performance.now();
    expect(await probeHealth(`http://127.0.0.1:${port}/health`, 50)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
    server.closeAllConnections();
  });

  it('reads the status of the answer (2xx only) and its whole body', async () => {
    expect(await probeHealth(`http://127.0.0.1:${await serve(204)}/health`, 1_000)).toBe(true);
    expect(await probeHealth(`http://127.0.0.1:${await serve(302)}/health`, 1_000)).toBe(false);
    expect(await probeHealth(`http://127.0.0.1:${await closedPort()}/health`, 1_000)).toBe(false);
  });
});
