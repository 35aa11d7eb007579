import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '@mlx-gateway/shared/config';
import type { LimitedScope } from '@mlx-gateway/shared/clients';
import { proxyUrlOf, readProxyUsage } from './proxy-limit-usage.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in proxy answering `status` and `body`; records what it was asked. */
async function proxy(status: number, body: unknown) {
  const asked: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    asked.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

const scopes: LimitedScope[] = [
  { kind: 'client', name: 'ci', limits: { rpm: 5 } },
  { kind: 'model', name: 'gpt', limits: { rpm: 9 } },
];
const ciUsage = { rpm: { used: 2, limit: 5, resetAt: '2026-03-03T10:21:00.000Z' } };
const gptUsage = { rpm: { used: 4, limit: 9, resetAt: '2026-03-03T10:21:00.000Z' } };

const config = (host: string, port: number) => ({ proxy: { host, port } }) as GatewayConfig;

describe('proxyUrlOf', () => {
  it('asks a wildcard listen address on loopback, and writes IPv6 in brackets', () => {
    expect(proxyUrlOf(config('127.0.0.1', 8080))).toBe('http://127.0.0.1:8080');
    expect(proxyUrlOf(config('0.0.0.0', 8080))).toBe('http://127.0.0.1:8080');
    expect(proxyUrlOf(config('::', 8080))).toBe('http://[::1]:8080');
    expect(proxyUrlOf(config('::1', 9))).toBe('http://[::1]:9');
    expect(proxyUrlOf(config('10.0.0.5', 80))).toBe('http://10.0.0.5:80');
  });
});

describe('readProxyUsage', () => {
  it("reads each scope's usage from the report, sending no key to a loopback proxy", async () => {
    const { url, asked } = await proxy(200, {
      object: 'gateway.limits',
      at: '2026-03-03T10:20:30.000Z',
      store: 'embedded',
      clients: [{ name: 'ci', limits: { rpm: 5 }, usage: ciUsage }],
      models: [{ name: 'gpt', limits: { rpm: 9 }, usage: gptUsage }],
    });
    const reading = await readProxyUsage(undefined, scopes, {
      proxyUrl: `${url}/`,
      env: { MLX_GATEWAY_OPERATOR_KEY: 'op-key' },
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.url).toBe('/v1/gateway/limits');
    expect(asked[0]!.headers.authorization).toBeUndefined();
    expect(reading).toEqual({
      source: 'proxy',
      from: url,
      at: Date.parse('2026-03-03T10:20:30.000Z'),
      usage: new Map([
        ['client:ci', ciUsage],
        ['model:gpt', gptUsage],
      ]),
    });
  });

  it('refuses a --proxy that is not an http(s) URL, saying what it takes', async () => {
    for (const bad of ['127.0.0.1:8081', 'ftp://127.0.0.1/']) {
      await expect(readProxyUsage(undefined, scopes, { proxyUrl: bad })).rejects.toThrow(
        `--proxy takes the proxy's URL, like http://127.0.0.1:8081 (got "${bad.replace(/\/+$/, '')}")`,
      );
    }
  });

  it('says which scopes the proxy does not count (it has not read the change)', async () => {
    const { url } = await proxy(200, {
      at: 'x',
      clients: [],
      models: [{ name: 'gpt', usage: gptUsage }],
    });
    const reading = await readProxyUsage(undefined, scopes, { proxyUrl: url });
    expect([...reading.usage.keys()]).toEqual(['model:gpt']);
    expect(reading.at).toBeUndefined();
    expect(reading.note).toContain('does not count client ci (yet)');
  });

  it('explains a proxy that is not running, an old one, an error and a body that is not JSON', async () => {
    const gone = await proxy(200, {});
    await new Promise((r) => servers.pop()!.close(r));
    const notRunning = await readProxyUsage(undefined, scopes, { proxyUrl: gone.url });
    expect(notRunning.usage.size).toBe(0);
    expect(notRunning.note).toMatch(
      new RegExp(
        `^usage not shown: no proxy answered at ${gone.url} \\(.*ECONNREFUSED.*\\); with the embedded state store`,
      ),
    );
    const old = await proxy(404, { error: { message: 'no route' } });
    expect((await readProxyUsage(undefined, scopes, { proxyUrl: old.url })).note).toBe(
      `usage not shown: the proxy at ${old.url} has no usage report (it may be an older version: restart it)`,
    );
    const down = await proxy(503, { error: { message: 'the limit counters cannot be read' } });
    expect((await readProxyUsage(undefined, scopes, { proxyUrl: down.url })).note).toBe(
      `usage not shown: the proxy at ${down.url} answered 503: the limit counters cannot be read`,
    );
    const html = await proxy(200, '<html>');
    expect((await readProxyUsage(undefined, scopes, { proxyUrl: html.url })).note).toBe(
      `usage not shown: the proxy at ${html.url} answered something other than JSON`,
    );
  });
});
