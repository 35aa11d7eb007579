import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { fetch, request, type Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuardedAgent } from './guarded-agent.js';
import type { GuardedResolver } from './guarded-lookup.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  await Promise.all(
    servers.splice(0).map(async (server) => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }),
  );
});

async function serve(handler: Handler): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, hits };
}

function track(agent: Agent): Agent {
  agents.push(agent);
  return agent;
}

/** Answers the queued addresses in order, one per lookup. */
function resolverAnswering(...addresses: string[]): GuardedResolver {
  return (_hostname, _options, callback) => {
    const address = addresses.shift();
    if (address === undefined) throw new Error('unexpected lookup');
    queueMicrotask(() => callback(null, [{ address, family: 4 }]));
  };
}

/** The SSRF error behind an undici/fetch failure, wherever undici put it. */
function ssrfCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 5 && current instanceof Error; i += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === ErrorCodes.SSRF_BLOCKED) return code;
    current = current.cause;
  }
  return undefined;
}

describe('createGuardedAgent', () => {
  it('returns a redirect to the metadata address as-is instead of following it', async () => {
    const upstream = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const agent = track(createGuardedAgent({ allowLoopback: true }));
    const res = await request(`http://127.0.0.1:${upstream.port}/v1/models`, { dispatcher: agent });
    await res.body.dump();
    expect(res.statusCode).toBe(302);
    expect(res.headers['location']).toBe('http://169.254.169.254/latest/meta-data/');
    expect(upstream.hits).toEqual(['GET /v1/models']);
  });

  it('refuses the next hop when fetch() follows a redirect to the metadata address', async () => {
    const upstream = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const agent = track(createGuardedAgent({ allowLoopback: true }, { connectTimeout: 2_000 }));
    const failure = await fetch(`http://127.0.0.1:${upstream.port}/`, { dispatcher: agent }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ssrfCode(failure)).toBe(ErrorCodes.SSRF_BLOCKED);
  });

  it('refuses an IP-literal host at connect time (net.connect skips lookup for IPs)', async () => {
    const agent = track(createGuardedAgent({}, { connectTimeout: 2_000 }));
    const failure = await request('http://[::ffff:a9fe:a9fe]/latest/meta-data/', {
      dispatcher: agent,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ssrfCode(failure)).toBe(ErrorCodes.SSRF_BLOCKED);
  });

  it('refuses loopback when the policy does not allow it, before any byte is sent', async () => {
    const upstream = await serve((_req, res) => res.end('secret internal page'));
    const agent = track(createGuardedAgent({}));
    const failure = await request(`http://127.0.0.1:${upstream.port}/`, { dispatcher: agent }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ssrfCode(failure)).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(upstream.hits).toEqual([]);
  });

  it('re-checks DNS on every new connection, so rebinding to metadata is refused', async () => {
    const upstream = await serve((_req, res) => {
      // Close after each response so the next request needs a new connection (and lookup).
      res.setHeader('connection', 'close');
      res.end('ok');
    });
    const agent = track(
      createGuardedAgent(
        { allowLoopback: true },
        { resolver: resolverAnswering('127.0.0.1', '169.254.169.254') },
      ),
    );
    const url = `http://rebind.example.test:${upstream.port}/`;
    const first = await request(url, { dispatcher: agent });
    expect(await first.body.text()).toBe('ok');
    const failure = await request(url, { dispatcher: agent }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(ssrfCode(failure)).toBe(ErrorCodes.SSRF_BLOCKED);
    expect(upstream.hits).toHaveLength(1);
  });

  it('passes maxResponseSize to undici', async () => {
    const upstream = await serve((_req, res) => res.end('x'.repeat(10_000)));
    const agent = track(createGuardedAgent({ allowLoopback: true }, { maxResponseSize: 1_000 }));
    const failure = await request(`http://127.0.0.1:${upstream.port}/`, { dispatcher: agent })
      .then((res) => res.body.text())
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect((failure as { code?: string } | undefined)?.code).toBe('UND_ERR_RES_EXCEEDED_MAX_SIZE');
  });

  it('passes headersTimeout to undici', async () => {
    // The server never answers; the request must fail on its own headers timeout.
    const upstream = await serve(() => undefined);
    const agent = track(createGuardedAgent({ allowLoopback: true }, { headersTimeout: 100 }));
    const failure = await request(`http://127.0.0.1:${upstream.port}/`, { dispatcher: agent }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((failure as { code?: string } | undefined)?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });
});
