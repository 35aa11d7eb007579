import { describe, expect, it } from 'vitest';
import { createClientKey } from '@mlx-gateway/shared/clients';
import type { ClientLimits } from '@mlx-gateway/shared/clients';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { useLimitsBed } from '../support/limits-bed.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Model limits (`limits:` on a model entry) through the real proxy process, on the embedded
 * store and on a real `redis-server`: counted for every caller of the model, checked with the
 * caller's own key limits (a request must pass both), each kind, 429s in both API formats with
 * their headers.
 */
const CLOUD_KEY = 'sk-fake-model-limits-0123456789abcdef';
const bed = useLimitsBed(CLOUD_KEY);
let prefixes = 0;

type StoreKind = 'embedded' | 'redis';

function stateYaml(store: StoreKind): string {
  if (store === 'embedded') return '';
  return `state:
  keyPrefix: "model-limits-test-${prefixes++}:"
  redis: { url: "${bed.redis.url}", commandTimeout: 250ms, connectTimeout: 1s }
`;
}

/** A gateway whose model `gpt` has `limits`, and client keys with theirs. */
async function gatewayWith(
  store: StoreKind,
  limits: string,
  clients: Record<string, ClientLimits> = { a: {}, b: {} },
): Promise<{ url: string; keys: Record<string, string> }> {
  const gateway = new TestGateway();
  bed.gateways.push(gateway);
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', bed.cloud.baseUrl, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o, limits: ${limits} }
  other: { provider: cloud, upstreamModel: gpt-4o-mini }
${stateYaml(store)}`,
  );
  const keys: Record<string, string> = {};
  for (const [name, l] of Object.entries(clients)) {
    keys[name] = (await createClientKey(gateway.home, name, { limits: l })).key;
  }
  return { url: await startProxyWithEnv(gateway, { CLOUD_KEY }), keys };
}

const openai = (url: string, key: string, extra: object = {}) =>
  postJson(
    `${url}/v1/chat/completions`,
    { model: 'gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10, ...extra },
    { authorization: `Bearer ${key}` },
  );

const anthropic = (url: string, key: string, model = 'gpt') =>
  postJson(
    `${url}/v1/messages`,
    { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
  );

/** Requests that must share one UTC minute start with `needMs` left in it. */
async function withinOneMinute(needMs = 15_000): Promise<void> {
  await waitUntil(
    () => 60_000 - (Date.now() % 60_000) > needMs,
    'room in the current minute',
    60_000 - needMs + 5_000,
  );
}

describe.each<StoreKind>(['embedded', 'redis'])('model limits on the %s store', (store) => {
  it('requests per minute, shared by every key; OpenAI then Anthropic 429 with their headers', async () => {
    const { url, keys } = await gatewayWith(store, '{ rpm: 2 }');
    await withinOneMinute();
    const first = await openai(url, keys.a!);
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('1');
    expect(first.headers['x-ratelimit-limit-tokens']).toBeUndefined(); // no tpm configured
    expect((await openai(url, keys.b!)).status).toBe(200);
    const over = await openai(url, keys.a!);
    expect(over.status).toBe(429);
    expect(over.body.error.message).toBe(
      'rate limit reached for model "gpt": 2 requests per minute',
    );
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');
    const claude = await anthropic(url, keys.b!);
    expect(claude.status).toBe(429);
    expect(claude.body.error.type).toBe('rate_limit_error');
    expect(claude.body.error.message).toContain('model "gpt"');
    expect(claude.headers['anthropic-ratelimit-requests-limit']).toBe('2');
    expect(claude.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(claude.headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    // Another model is not limited.
    expect((await anthropic(url, keys.a!, 'other')).status).toBe(200);
    expect(bed.cloud.requests).toHaveLength(3);
  });

  it('a request must pass both: the key refuses first, the model next, neither takes from the other', async () => {
    const { url, keys } = await gatewayWith(store, '{ rpm: 3, tpm: 100000 }', {
      tight: { rpm: 1 },
      loose: {},
    });
    await withinOneMinute();
    const first = await openai(url, keys.tight!);
    expect(first.status).toBe(200);
    // The tighter of the key's (1) and the model's (3) limits is in the headers.
    expect(first.headers['x-ratelimit-limit-requests']).toBe('1');
    expect(first.headers['x-ratelimit-limit-tokens']).toBe('100000');
    const byKey = await openai(url, keys.tight!);
    expect(byKey.status).toBe(429);
    expect(byKey.body.error.message).toContain('client key "tight"');
    // The key's refusal took nothing from the model: two more fit.
    expect((await openai(url, keys.loose!)).status).toBe(200);
    expect((await openai(url, keys.loose!)).status).toBe(200);
    const byModel = await openai(url, keys.loose!);
    expect(byModel.status).toBe(429);
    expect(byModel.body.error.message).toContain('model "gpt": 3 requests per minute');
  });

  it('tokens per minute and concurrency on the model', async () => {
    const { url, keys } = await gatewayWith(store, '{ tpm: 1000, concurrency: 1 }');
    await withinOneMinute();
    const tooLarge = await openai(url, keys.a!, { max_tokens: 5_000 });
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.body.error.message).toContain('request too large for model "gpt"');
    const release = bed.cloud.hold();
    const first = openai(url, keys.a!, { max_tokens: 400 });
    await bed.cloud.waitForRequests(1);
    const busy = await openai(url, keys.b!, { max_tokens: 10 });
    expect(busy.status).toBe(429);
    expect(busy.body.error.message).toBe(
      'too many concurrent requests for model "gpt": at most 1 at once',
    );
    expect(busy.headers['retry-after']).toBe('1');
    release();
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(answered.headers['x-ratelimit-limit-tokens']).toBe('1000');
    // Settled from the usage when the answer ended: the slot is free again.
    await waitUntil(
      async () => (await openai(url, keys.b!, { max_tokens: 900 })).status === 200,
      'the slot given back',
    );
  });

  it('a daily token budget on the model: refused while spent, Retry-After until UTC midnight', async () => {
    const { url, keys } = await gatewayWith(store, '{ budget: 700/day }');
    const release = bed.cloud.hold();
    try {
      const first = openai(url, keys.a!, { max_tokens: 400 });
      await bed.cloud.waitForRequests(1);
      const spent = await openai(url, keys.b!, { max_tokens: 400 });
      expect(spent.status).toBe(429);
      expect(spent.body.error.message).toBe(
        'token budget exhausted for model "gpt": 700 tokens per day',
      );
      const untilMidnight = (86_400_000 - (Date.now() % 86_400_000)) / 1000;
      expect(Number(spent.headers['retry-after'])).toBeGreaterThan(untilMidnight - 60);
      // The refusal took nothing: a small request (10 tokens and its input) still fits.
      const small = anthropic(url, keys.b!);
      await bed.cloud.waitForRequests(2);
      release();
      expect((await small).status).toBe(200);
      expect((await first).status).toBe(200);
    } finally {
      release();
    }
  });
});
