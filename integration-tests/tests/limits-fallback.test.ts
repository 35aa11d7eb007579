import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * A fallback's own model limits, through the real proxy process on the embedded store and on
 * a real `redis-server`: a primary whose upstream answers 500 fails over to a fallback model
 * limited to 2 requests per minute; the fallback serves two, and the third request gets 429 in
 * the caller's format, with the attempts in its audit record.
 */
const PRIMARY_KEY = 'sk-fake-primary-0123456789abcdef';
const BACKUP_KEY = 'sk-fake-backup-0123456789abcdef';
let primary: FakeOpenAICloud;
let backup: FakeOpenAICloud;
let redis: RedisServer;
let prefixes = 0;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  primary = await FakeOpenAICloud.start({ apiKey: PRIMARY_KEY });
  backup = await FakeOpenAICloud.start({ apiKey: BACKUP_KEY });
  redis = await startRedisServer();
});
afterAll(async () => {
  await primary?.close();
  await backup?.close();
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  primary.reset();
  backup.reset();
});

type StoreKind = 'embedded' | 'redis';

function stateYaml(store: StoreKind): string {
  if (store === 'embedded') return '';
  return `state:
  keyPrefix: "fallback-limits-test-${prefixes++}:"
  redis: { url: "${redis.url}", commandTimeout: 250ms, connectTimeout: 1s }
`;
}

async function gatewayWith(store: StoreKind): Promise<{ gateway: TestGateway; url: string }> {
  const gateway = new TestGateway();
  gateways.push(gateway);
  await configureSections(
    gateway,
    `providers:
${fakeProvider('first', primary.baseUrl, 'PRIMARY_KEY')}${fakeProvider('second', backup.baseUrl, 'BACKUP_KEY')}models:
  main: { provider: first, upstreamModel: main-model, fallbacks: [spare] }
  spare: { provider: second, upstreamModel: spare-model, limits: { rpm: 2 } }
${stateYaml(store)}`,
  );
  const url = await startProxyWithEnv(gateway, {
    PRIMARY_KEY,
    BACKUP_KEY,
  });
  return { gateway, url };
}

type Rec = Record<string, unknown> & { requestId: string };

function auditRecords(gateway: TestGateway): Rec[] {
  const dir = join(gateway.home, 'audit');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Rec),
    );
}

/** The record of a request id, once the writer (flushing every half second) has written it. */
function recordOf(gateway: TestGateway, id: unknown): Promise<Rec> {
  return waitUntil(
    () => auditRecords(gateway).find((r) => r.requestId === id),
    `the audit record of ${String(id)}`,
  );
}

const openai = (url: string) =>
  postJson(`${url}/v1/chat/completions`, {
    model: 'main',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 10,
  });

const anthropic = (url: string) =>
  postJson(
    `${url}/v1/messages`,
    { model: 'main', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
    { 'x-api-key': 'any', 'anthropic-version': '2023-06-01' },
  );

/** Requests that must share one UTC minute start with `needMs` left in it. */
async function withinOneMinute(needMs = 15_000): Promise<void> {
  await waitUntil(
    () => 60_000 - (Date.now() % 60_000) > needMs,
    'room in the current minute',
    60_000 - needMs + 5_000,
  );
}

describe.each<StoreKind>(['embedded', 'redis'])(
  'a fallback model limit on the %s store',
  (store) => {
    it('counts the failovers: two served by the fallback, then 429 in each format with the attempts audited', async () => {
      const { gateway, url } = await gatewayWith(store);
      primary.failNext({ status: 500 }, 10);
      await withinOneMinute();
      const served = [await openai(url), await openai(url)];
      for (const [i, res] of served.entries()) {
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.headers['x-mlx-gateway-target']).toBe('spare');
        expect(res.body.choices[0].message.content).toContain('spare-model');
        expect(res.headers['x-ratelimit-limit-requests']).toBe('2');
        expect(res.headers['x-ratelimit-remaining-requests']).toBe(String(1 - i));
      }

      const over = await openai(url);
      expect(over.status).toBe(429);
      expect(over.body.error.code).toBe('rate_limited');
      expect(over.body.error.message).toContain(
        'spare: rate limit reached for model "spare": 2 requests per minute',
      );
      expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(over.headers['x-ratelimit-limit-requests']).toBe('2');
      expect(over.headers['x-ratelimit-remaining-requests']).toBe('0');

      const claude = await anthropic(url);
      expect(claude.status).toBe(429);
      expect(claude.body.type).toBe('error');
      expect(claude.body.error.type).toBe('rate_limit_error');
      expect(claude.body.error.message).toContain('model "spare"');
      expect(Number(claude.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(claude.headers['anthropic-ratelimit-requests-limit']).toBe('2');
      expect(claude.headers['anthropic-ratelimit-requests-remaining']).toBe('0');
      expect(claude.headers['anthropic-ratelimit-requests-reset']).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);

      // The fallback received only the two it admitted; the primary every request.
      expect(backup.requests).toHaveLength(2);
      expect(primary.requests).toHaveLength(4);
      expect(await recordOf(gateway, served[0]!.headers['x-request-id'])).toMatchObject({
        model: 'main',
        resolvedModel: 'spare',
        status: 200,
        attempts: [
          { target: 'main', outcome: 'error', errorCode: 'UPSTREAM_ERROR' },
          { target: 'spare', outcome: 'ok' },
        ],
      });
      for (const refused of [over, claude]) {
        expect(await recordOf(gateway, refused.headers['x-request-id'])).toMatchObject({
          status: 429,
          errorCode: 'RATE_LIMITED',
          attempts: [
            { target: 'main', outcome: 'error', errorCode: 'UPSTREAM_ERROR' },
            { target: 'spare', outcome: 'limited', errorCode: 'RATE_LIMITED' },
          ],
        });
      }
    });
  },
);
