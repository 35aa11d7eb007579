import { describe, expect, it } from 'vitest';
import { createClientKey } from '@mlx-gateway/shared/clients';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { getJson, postJson } from '../support/http.js';
import { useLimitsBed } from '../support/limits-bed.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Issue 12: `mlx-gateway keys list-clients` shows each limited key's and each limited model's
 * usage against its limits. Real proxy and CLI processes; requests through the proxy, then the
 * CLI's numbers compared with what was sent: read from a real `redis-server` with `state.redis`,
 * from the proxy's GET /v1/gateway/limits with the embedded store.
 */
const CLOUD_KEY = 'sk-fake-usage-cli-0123456789abcdef';
const bed = useLimitsBed(CLOUD_KEY);
let prefixes = 0;

type StoreKind = 'embedded' | 'redis';

const CI_LIMITS = {
  rpm: 40,
  tpm: 50_000,
  concurrency: 3,
  budget: { tokens: 500_000, per: 'month' as const },
};

async function gatewayWith(store: StoreKind) {
  const gateway = new TestGateway();
  bed.gateways.push(gateway);
  const state =
    store === 'embedded'
      ? ''
      : `state:
  keyPrefix: "usage-cli-${prefixes++}:"
  redis: { url: "${bed.redis.url}", commandTimeout: 500ms, connectTimeout: 2s }
`;
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', bed.cloud.baseUrl, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o, limits: { rpm: 50, tpm: 100000, concurrency: 4, budget: 1m/day } }
  other: { provider: cloud, upstreamModel: gpt-4o-mini }
${state}`,
  );
  const ci = (await createClientKey(gateway.home, 'ci', { limits: CI_LIMITS })).key;
  const open = (await createClientKey(gateway.home, 'open')).key;
  const url = await startProxyWithEnv(gateway, { CLOUD_KEY });
  return { gateway, url, ci, open };
}

/** One chat request; its total tokens as the upstream reported them (what the limits settle to). */
async function chat(url: string, key: string, model: string): Promise<number> {
  const res = await postJson(
    `${url}/v1/chat/completions`,
    { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 },
    { authorization: `Bearer ${key}` },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.usage.total_tokens as number;
}

/** Requests that must share one UTC minute start with `needMs` left in it. */
async function withinOneMinute(needMs = 25_000): Promise<void> {
  await waitUntil(
    () => 60_000 - (Date.now() % 60_000) > needMs,
    'room in the current minute',
    60_000 - needMs + 5_000,
  );
}

interface Usage {
  rpm?: { used: number; limit: number };
  tpm?: { used: number; limit: number };
  concurrency?: { used: number; limit: number };
  budget?: { used: number; limit: number; per: string };
}
interface ListJson {
  clients: Array<{ name: string; limits: unknown; usage: Usage | null }>;
  models: Array<{ name: string; limits: unknown; usage: Usage | null }>;
  usage: { source: string | null; from: string | null; at: string | null; note?: string };
}

async function listJson(home: string): Promise<ListJson> {
  const result = await runCli(home, ['keys', 'list-clients', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ListJson;
}

const usageOf = (list: ListJson['clients'], name: string) =>
  list.find((e) => e.name === name)?.usage;

describe.each<StoreKind>(['embedded', 'redis'])('keys list-clients on the %s store', (store) => {
  it("shows each key's and model's usage against its limits, as sent through the proxy", async () => {
    const { gateway, url, ci, open } = await gatewayWith(store);
    await withinOneMinute();
    let ciTokens = 0;
    let gptTokens = 0;
    for (let i = 0; i < 3; i++) {
      const t = await chat(url, ci, 'gpt');
      ciTokens += t;
      gptTokens += t;
    }
    gptTokens += await chat(url, open, 'gpt');
    ciTokens += await chat(url, ci, 'other');

    // The tokens reserved from max_tokens are corrected once each answer has ended.
    const list = await waitUntil(async () => {
      const l = await listJson(gateway.home);
      return usageOf(l.clients, 'ci')?.tpm?.used === ciTokens &&
        usageOf(l.models, 'gpt')?.tpm?.used === gptTokens
        ? l
        : undefined;
    }, 'the usage settled from the answers');
    expect(list.usage.source).toBe(store === 'redis' ? 'redis' : 'proxy');
    expect(list.usage.from).toBe(store === 'redis' ? bed.redis.url : url);
    expect(list.usage.note).toBeUndefined();
    expect(usageOf(list.clients, 'ci')).toMatchObject({
      rpm: { used: 4, limit: 40 },
      tpm: { used: ciTokens, limit: 50_000 },
      concurrency: { used: 0, limit: 3 },
      budget: { used: ciTokens, limit: 500_000, per: 'month' },
    });
    expect(usageOf(list.clients, 'open')).toBeNull();
    expect(list.models.map((m) => m.name)).toEqual(['gpt']);
    expect(usageOf(list.models, 'gpt')).toMatchObject({
      rpm: { used: 4, limit: 50 },
      tpm: { used: gptTokens, limit: 100_000 },
      concurrency: { used: 0, limit: 4 },
      budget: { used: gptTokens, limit: 1_000_000, per: 'day' },
    });

    // A request in flight counts against both concurrency limits while it runs.
    const release = bed.cloud.hold();
    try {
      const held = chat(url, ci, 'gpt');
      await bed.cloud.waitForRequests(6);
      const during = await listJson(gateway.home);
      expect(usageOf(during.clients, 'ci')).toMatchObject({
        rpm: { used: 5 },
        concurrency: { used: 1 },
      });
      expect(usageOf(during.models, 'gpt')).toMatchObject({
        rpm: { used: 5 },
        concurrency: { used: 1 },
      });
      release();
      await held;
    } finally {
      release();
    }

    // The table says the same.
    const text = await waitUntil(async () => {
      const r = await runCli(gateway.home, ['keys', 'list-clients']);
      return r.stdout.includes('0/3 in flight') ? r : undefined;
    }, 'the held request to end');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^ci\s+mgw-\S+…\s+\(all\)\s+rpm 40, tpm 50000, concurrency 3, budget 500000\/month\s+5\/40 rpm, \d+\/50000 tpm, 0\/3 in flight, \d+\/500000 this month/m,
    );
    expect(text.stdout).toMatch(/^open\s+mgw-\S+…\s+\(all\)\s+\(none\)\s+\d{4}-/m);
    expect(text.stdout).toContain('model limits:\nMODEL');
    expect(text.stdout).toMatch(
      /^gpt\s+rpm 50, tpm 100000, concurrency 4, budget 1000000\/day\s+5\/50 rpm, \d+\/100000 tpm, 0\/4 in flight, \d+\/1000000 this day$/m,
    );
    expect(text.stderr).toContain(
      store === 'redis'
        ? `usage read from Redis at ${bed.redis.url}`
        : `usage read from the proxy at ${url}`,
    );
  });
});

describe('where usage comes from when the proxy is not running', () => {
  it('embedded store: the proxy counted in its memory, so the CLI says none can be shown', async () => {
    const { gateway, url, ci } = await gatewayWith('embedded');
    await chat(url, ci, 'gpt');
    // The report is the proxy's operator route: a client key is not needed on loopback.
    const report = await getJson(`${url}/v1/gateway/limits`);
    expect(report.status).toBe(200);
    expect(report.body.store).toBe('embedded');
    const proxy = gateway.proxy!;
    proxy.child.kill('SIGTERM');
    await proxy.exited;
    const result = await runCli(gateway.home, ['keys', 'list-clients']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ci\s.*budget 500000\/month\s+\?\s/m);
    expect(result.stdout).toMatch(/^gpt\s.*budget 1000000\/day\s+\?$/m);
    expect(result.stderr).toContain(
      `usage not shown: no proxy answered at ${url} (connect ECONNREFUSED`,
    );
    expect(result.stderr).toContain(
      'with the embedded state store the counts live in the running proxy',
    );
    const json = await listJson(gateway.home);
    expect(usageOf(json.clients, 'ci')).toBeNull();
    expect(json.usage.source).toBeNull();
    expect(json.usage.note).toContain('no proxy answered');
  });

  it('redis: the counters outlive the proxy, and the CLI reads them from Redis', async () => {
    const { gateway, url, ci } = await gatewayWith('redis');
    await withinOneMinute(10_000);
    await chat(url, ci, 'gpt');
    const proxy = gateway.proxy!;
    proxy.child.kill('SIGTERM');
    await proxy.exited;
    const json = await listJson(gateway.home);
    expect(json.usage.source).toBe('redis');
    expect(usageOf(json.clients, 'ci')).toMatchObject({ rpm: { used: 1 } });
    expect(usageOf(json.models, 'gpt')).toMatchObject({ rpm: { used: 1 } });
  });
});
