import { describe, expect, it } from 'vitest';
import { createClientKey } from '@mlx-gateway/shared/clients';
import type { ClientLimits } from '@mlx-gateway/shared/clients';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain, startNode } from '../support/processes.js';
import { useLimitsBed } from '../support/limits-bed.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Client-key limits through the real proxy process, on the embedded store and on a real
 * `redis-server`: each limit kind, the 429 in both API formats with its headers, two proxies
 * sharing one limit, and Redis killed and restarted under the proxy.
 */
const CLOUD_KEY = 'sk-fake-limits-cloud-0123456789abcdef';
const bed = useLimitsBed(CLOUD_KEY);
let prefixes = 0;

type StoreKind = 'embedded' | 'redis';

interface LimitedGateway {
  gateway: TestGateway;
  url: string;
  keys: Record<string, string>;
}

function stateYaml(store: StoreKind, extra = ''): string {
  if (store === 'embedded') return extra ? `state:\n${extra}` : '';
  return `state:
  keyPrefix: "limits-test-${prefixes++}:"
  redis: { url: "${bed.redis.url}", commandTimeout: 250ms, connectTimeout: 1s }
${extra}`;
}

async function limitedGateway(
  store: StoreKind,
  clients: Record<string, ClientLimits>,
  stateExtra = '',
): Promise<LimitedGateway> {
  const gateway = new TestGateway();
  bed.gateways.push(gateway);
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', bed.cloud.baseUrl, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o }
${stateYaml(store, stateExtra)}`,
  );
  const keys: Record<string, string> = {};
  for (const [name, limits] of Object.entries(clients)) {
    keys[name] = (await createClientKey(gateway.home, name, { limits })).key;
  }
  const url = await startProxyWithEnv(gateway, { CLOUD_KEY });
  return { gateway, url, keys };
}

const chat = (extra: object = {}) => ({
  model: 'gpt',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 10,
  ...extra,
});

const openai = (url: string, key: string, extra: object = {}) =>
  postJson(`${url}/v1/chat/completions`, chat(extra), { authorization: `Bearer ${key}` });

const anthropic = (url: string, key: string) =>
  postJson(
    `${url}/v1/messages`,
    { model: 'gpt', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
  );

/**
 * Per-minute windows are fixed UTC minutes: a sequence of requests that must share one starts
 * with at least `needMs` left in the current minute (waits for the next one otherwise).
 */
async function withinOneMinute(needMs = 15_000): Promise<void> {
  await waitUntil(
    () => 60_000 - (Date.now() % 60_000) > needMs,
    'room in the current minute',
    60_000 - needMs + 5_000,
  );
}

describe.each<StoreKind>(['embedded', 'redis'])('client-key limits on the %s store', (store) => {
  it('requests per minute: headers on every answer, then 429 in the OpenAI format', async () => {
    const { url, keys } = await limitedGateway(store, { app: { rpm: 2 } });
    await withinOneMinute();
    const first = await openai(url, keys.app!);
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    expect(first.headers['x-ratelimit-reset-requests']).toMatch(/^(\d+m)?\d+s$/);
    expect((await openai(url, keys.app!)).status).toBe(200);
    const over = await openai(url, keys.app!);
    expect(over.status).toBe(429);
    expect(over.body.error.message).toContain('2 requests per minute');
    expect(over.body.error.type).toBeTruthy();
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(bed.cloud.requests).toHaveLength(2);
  });

  it('the Anthropic API gets its own 429 body and anthropic-ratelimit-* headers', async () => {
    const { url, keys } = await limitedGateway(store, { claude: { rpm: 1, tpm: 100_000 } });
    await withinOneMinute();
    const first = await anthropic(url, keys.claude!);
    expect(first.status).toBe(200);
    expect(first.headers['anthropic-ratelimit-requests-limit']).toBe('1');
    expect(first.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(first.headers['anthropic-ratelimit-tokens-limit']).toBe('100000');
    expect(Number(first.headers['anthropic-ratelimit-tokens-remaining'])).toBeLessThan(100_000);
    expect(first.headers['x-ratelimit-limit-requests']).toBeUndefined();
    const over = await anthropic(url, keys.claude!);
    expect(over.status).toBe(429);
    expect(over.body.type).toBe('error');
    expect(over.body.error.type).toBe('rate_limit_error');
    expect(over.headers['retry-after']).toMatch(/^\d+$/);
    expect(over.headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('tokens per minute: reserved from max_tokens, settled from the usage; a request larger than the limit is refused', async () => {
    const { url, keys } = await limitedGateway(store, { tok: { tpm: 1_000 } });
    await withinOneMinute();
    const tooLarge = await openai(url, keys.tok!, { max_tokens: 5_000 });
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.body.error.message).toContain('request too large');
    // While a request is in flight its max_tokens stay reserved.
    const release = bed.cloud.hold();
    const first = openai(url, keys.tok!, { max_tokens: 400 });
    await bed.cloud.waitForRequests(1);
    const second = openai(url, keys.tok!, { max_tokens: 400 });
    await bed.cloud.waitForRequests(2);
    const over = await openai(url, keys.tok!, { max_tokens: 400 });
    expect(over.status).toBe(429);
    expect(over.body.error.message).toContain('1000 tokens per minute');
    expect(over.headers['x-ratelimit-remaining-tokens']).toBe('0');
    release();
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(answered.headers['x-ratelimit-limit-tokens']).toBe('1000');
    const remaining = Number(answered.headers['x-ratelimit-remaining-tokens']);
    expect(remaining).toBeLessThan(600);
    expect((await second).status).toBe(200);
    // Once both answers ended, only what the upstream reported using (a few tokens) counts.
    await waitUntil(
      async () => (await openai(url, keys.tok!, { max_tokens: 400 })).status === 200,
      'the reservations settled from the usage',
    );
  });

  it('concurrent requests: one in flight, the next refused until it ends', async () => {
    const { url, keys } = await limitedGateway(store, { one: { concurrency: 1 } });
    const release = bed.cloud.hold();
    const first = openai(url, keys.one!);
    await bed.cloud.waitForRequests(1);
    const second = await openai(url, keys.one!);
    expect(second.status).toBe(429);
    expect(second.body.error.message).toContain('at most 1 at once');
    expect(second.headers['retry-after']).toBe('1');
    release();
    expect((await first).status).toBe(200);
    // The slot is given back when the first answer has ended.
    await waitUntil(async () => (await openai(url, keys.one!)).status === 200, 'a free slot');
  });

  it('a token budget per day: refused while spent, until the next UTC day', async () => {
    const { url, keys } = await limitedGateway(store, {
      daily: { budget: { tokens: 700, per: 'day' } },
    });
    const release = bed.cloud.hold();
    const first = openai(url, keys.daily!, { max_tokens: 400 });
    await bed.cloud.waitForRequests(1);
    const over = await openai(url, keys.daily!, { max_tokens: 400 });
    expect(over.status).toBe(429);
    expect(over.body.error.message).toContain('700 tokens per day');
    const untilMidnight = (86_400_000 - (Date.now() % 86_400_000)) / 1000;
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(untilMidnight - 60);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(untilMidnight) + 1);
    // A refused request takes nothing: a small one still fits.
    const small = openai(url, keys.daily!, { max_tokens: 100 });
    await bed.cloud.waitForRequests(2);
    release();
    expect((await small).status).toBe(200);
    expect((await first).status).toBe(200);
  });

  it('a key without limits is not counted and gets no rate-limit headers', async () => {
    const { url, keys } = await limitedGateway(store, { free: {} });
    await withinOneMinute();
    for (let i = 0; i < 3; i++) {
      const res = await openai(url, keys.free!);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-requests']).toBeUndefined();
    }
  });
});

describe('client-key limits on one Redis shared by several proxies', () => {
  it('two proxy processes (the second from `mlx-gateway proxy --listen`) hold a 60 requests per minute key limit together', async () => {
    const { gateway, url, keys } = await limitedGateway('redis', { shared: { rpm: 60 } });
    // The second proxy as an operator starts one: `mlx-gateway proxy --listen`, which needs
    // the gateway's supervisor running.
    await gateway.startSupervisor();
    const second = startNode(cliMain, ['proxy', '--listen', '127.0.0.1:0'], {
      MLX_GATEWAY_HOME: gateway.home,
      CLOUD_KEY,
    });
    gateway.cleanup.group(second.pid);
    const line = await second.waitForLine(/proxy listening on (http:\S+)/);
    const url2 = /listening on (http:\S+)/.exec(line)![1]!;
    expect(url2).not.toBe(url);
    await withinOneMinute(20_000);
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => openai(i % 2 === 0 ? url : url2, keys.shared!)),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429).length;
    expect(ok).toBe(60);
    expect(refused).toBe(20);
  });

  it('Redis killed and restarted: served without waiting while it is down, limits resume after', async () => {
    const { url, keys } = await limitedGateway('redis', { k: { rpm: 2 } });
    await withinOneMinute(20_000);
    expect((await openai(url, keys.k!)).status).toBe(200);
    await bed.redis.kill();
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const res = await openai(url, keys.k!);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit-requests']).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    await bed.redis.restart();
    // Counting again once the proxy has reconnected (the restarted Redis starts empty).
    await waitUntil(
      async () => (await openai(url, keys.k!)).headers['x-ratelimit-limit-requests'] === '2',
      'the limits to be checked again',
      15_000,
    );
    expect((await openai(url, keys.k!)).status).toBe(200);
    expect((await openai(url, keys.k!)).status).toBe(429);
  });

  it('state.whenDown refuse: 503 with a clear message while Redis is down', async () => {
    const { url, keys } = await limitedGateway(
      'redis',
      { k: { rpm: 100 } },
      '  whenDown: refuse\n',
    );
    expect((await openai(url, keys.k!)).status).toBe(200);
    await bed.redis.kill();
    try {
      const started = Date.now();
      const res = await openai(url, keys.k!);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain('state store is unreachable');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await bed.redis.restart();
    }
  });
});
