import { afterEach, describe, expect, it } from 'vitest';
import type { GuardedResolver } from '@mlx-gateway/shared/security';
import { GatewayError } from '@mlx-gateway/shared/errors';
import type { Dispatcher } from 'undici';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import { PoolRegistry } from './pool-registry.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves every name to 127.0.0.1, like a DNS answer that points a public-looking name inward. */
const toLoopback: GuardedResolver = (_hostname, _options, callback) => {
  callback(null, [{ address: '127.0.0.1', family: 4 }]);
};

async function upstream(): Promise<FakeUpstream> {
  const fake = await FakeUpstream.start((ex) => jsonCompletion(ex, 'reached'));
  cleanups.push(() => fake.close());
  return fake;
}

function registry(
  baseUrl: string,
  allowPrivateNetwork: boolean,
  refusals: string[] = [],
): PoolRegistry {
  const pools = new PoolRegistry({
    connections: 2,
    keepAliveTimeoutMs: 1_000,
    connectTimeoutMs: 2_000,
    remotes: [{ baseUrl, allowPrivateNetwork }],
    resolver: toLoopback,
    onConnectRefused: (origin, reason) => refusals.push(`${origin}: ${reason}`),
  });
  cleanups.push(() => pools.close(100));
  return pools;
}

async function post(pool: Dispatcher, path: string): Promise<{ status: number; text: string }> {
  const res = await pool.request({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [] }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('upstream pools and the SSRF guard', () => {
  it('refuses, at connect time, a host name that resolves to a loopback address', async () => {
    const fake = await upstream();
    const origin = `http://cloud.test:${new URL(fake.origin).port}`;
    const refusals: string[] = [];
    const pools = registry(`${origin}/v1`, false, refusals);

    const failure = await post(pools.get(origin), '/v1/chat/completions').catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).code).toBe('UPSTREAM_UNREACHABLE');
    expect((failure as GatewayError).message).not.toContain('127.0.0.1');
    expect(refusals).toEqual([
      `${origin}: host "cloud.test" resolves to 127.0.0.1, a loopback address (127.0.0.0/8); refused unless loopback addresses are allowed`,
    ]);
    expect(fake.connections).toBe(0);
  });

  it('connects to the checked address when the origin allows private networks', async () => {
    const fake = await upstream();
    const origin = `http://cloud.test:${new URL(fake.origin).port}`;
    const pools = registry(`${origin}/v1`, true);
    const res = await post(pools.get(origin), '/v1/chat/completions');
    expect(res.status).toBe(200);
    expect(res.text).toContain('reached');
    expect(fake.connections).toBe(1);
  });

  it('refuses an IP-literal origin without asking DNS when private networks are not allowed', async () => {
    const fake = await upstream();
    const refusals: string[] = [];
    const pools = registry(`${fake.origin}/v1`, false, refusals);
    const failure = await post(pools.get(fake.origin), '/v1/chat/completions').catch(
      (err: unknown) => err,
    );
    expect((failure as GatewayError).code).toBe('UPSTREAM_UNREACHABLE');
    expect(refusals[0]).toContain('127.0.0.1 is a loopback address');
    expect(fake.connections).toBe(0);
  });

  it('gives an unconfigured loopback origin (a local model server) a plain pool', async () => {
    const fake = await upstream();
    const pools = registry('https://api.example.com/v1', false);
    expect((await post(pools.get(fake.origin), '/v1/chat/completions')).status).toBe(200);
  });

  it('never creates a pool for an origin that is neither configured nor loopback', () => {
    const pools = registry('https://api.example.com/v1', false);
    expect(() => pools.get('https://elsewhere.example.com')).toThrow(
      /neither configured nor a local/,
    );
    expect(pools.size).toBe(0);
  });

  it('keeps one pool per origin whatever the path of the base URLs', () => {
    const pools = new PoolRegistry({
      connections: 1,
      keepAliveTimeoutMs: 1_000,
      connectTimeoutMs: 1_000,
      remotes: [
        { baseUrl: 'https://api.example.com/v1', allowPrivateNetwork: false },
        { baseUrl: 'https://api.example.com/other/v1', allowPrivateNetwork: false },
      ],
    });
    cleanups.push(() => pools.close(100));
    expect(pools.get('https://api.example.com')).toBe(pools.get('https://api.example.com'));
    expect(pools.size).toBe(1);
  });

  it('does not follow a redirect: a 302 to the metadata address reaches the client as an error', async () => {
    const fake = await FakeUpstream.start((ex) => {
      ex.res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      ex.res.end();
    });
    cleanups.push(() => fake.close());
    const t = await startTestProxy({ models: [remoteModel('m', `${fake.origin}/v1`)] });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/chat/completions', { body: { model: 'm', messages: [] } });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ error: { code: 'upstream_error' } });
    expect(res.text).not.toContain('169.254');
    expect(fake.exchanges).toHaveLength(1);
  });
});
