import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { AuditRecord } from '@mlx-gateway/proxy';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { runCli } from '../support/cli.js';
import { TestGateway } from '../support/gateway.js';
import { cliMain, startNode } from '../support/processes.js';
import type { RunningProcess } from '../support/processes.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Issue 13's shared activity stream: two proxies of one gateway (the second started as an
 * operator would, `mlx-gateway proxy --listen`) send their audit records to one Redis stream,
 * which `mlx-gateway activity` reads (and follows) with the same filters as the files; Redis
 * killed mid-way fails no request, is reported once, counted, and its recovery logged.
 */
const CLOUD_KEY = 'sk-fake-redis-stream-0123456789abcdef';
const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let redis: RedisServer;
let first = '';
let second = '';
let secondProxy: RunningProcess;

const chat = (model: string) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 5,
});

async function post(base: string, model: string): Promise<{ status: number; id: string }> {
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat(model)),
  });
  await res.body.text();
  return { status: res.statusCode, id: res.headers['x-request-id'] as string };
}

/** `mlx-gateway activity --json ARGS`: the records it prints. */
async function activity(...args: string[]): Promise<AuditRecord[]> {
  const out = await runCli(gateway.home, ['activity', '--json', ...args]);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** Waits until `activity` (reading Redis) lists every one of `ids`. */
function listed(ids: string[], ...args: string[]): Promise<AuditRecord[]> {
  return waitUntil(
    async () => {
      const records = await activity('-n', '500', ...args);
      const seen = new Set(records.map((r) => r.requestId));
      return ids.every((id) => seen.has(id)) && records;
    },
    `activity to list ${ids.join(', ')}`,
    15_000,
  );
}

function metric(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

async function scrape(base: string): Promise<string> {
  return (await request(`${base}/metrics`)).body.text();
}

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: CLOUD_KEY, models: ['gpt-4o'] });
  redis = await startRedisServer();
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', cloud.baseUrl, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o }
  other: { provider: cloud, upstreamModel: gpt-4o }
state:
  keyPrefix: "stream-test:"
  redis: { url: "${redis.url}", commandTimeout: 250ms, connectTimeout: 1s }
audit:
  stream: { maxLength: 1000 }
`,
  );
  first = await startProxyWithEnv(gateway, { CLOUD_KEY });
  // The second proxy as an operator starts one; it needs the gateway's supervisor.
  await gateway.startSupervisor();
  secondProxy = startNode(cliMain, ['proxy', '--listen', '127.0.0.1:0'], {
    MLX_GATEWAY_HOME: gateway.home,
    CLOUD_KEY,
  });
  gateway.cleanup.group(secondProxy.pid);
  const line = await secondProxy.waitForLine(/proxy listening on (http:\S+)/);
  second = /listening on (http:\S+)/.exec(line)![1]!;
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
  await redis?.stop();
});

describe('the shared activity stream on Redis', () => {
  it('two proxies feed one stream; activity reads it with the same filters', async () => {
    // A record's end is its arrival on the wall clock (to the millisecond) plus its duration on
    // the proxy's own clock, and a proxy can be descheduled between answering and reading the
    // clock: two proxies' ends are only ordered when the later request was sent after the
    // earlier one's record reached the stream, and lasts more than the millisecond lost.
    cloud.set({ firstByteDelayMs: 5 });
    const a1 = await post(first, 'nope');
    const b1 = await post(second, 'other');
    const a2 = await post(first, 'gpt');
    await listed([a1.id, b1.id, a2.id]);
    const b2 = await post(second, 'gpt');
    cloud.reset();
    expect([a1.status, b1.status, a2.status, b2.status]).toEqual([404, 200, 200, 200]);
    const ids = [a1.id, b1.id, a2.id, b2.id];
    const records = await listed(ids);
    const ours = records.filter((r) => ids.includes(r.requestId));
    // Each record once, in the order the requests ended.
    expect(ours.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    const ends = ours.map((r) => Date.parse(r.time) + r.durationMs);
    expect(ends).toEqual([...ends].sort((x, y) => x - y));
    const order = (proxyIds: string[]) =>
      ours.map((r) => r.requestId).filter((id) => proxyIds.includes(id));
    expect(order([a1.id, a2.id])).toEqual([a1.id, a2.id]);
    expect(order([b1.id, b2.id])).toEqual([b1.id, b2.id]);
    const byId = new Map(ours.map((r) => [r.requestId, r]));
    expect(byId.get(a2.id)).toMatchObject({
      v: 1,
      api: 'openai.chat',
      model: 'gpt',
      resolvedModel: 'gpt',
      status: 200,
      complete: true,
    });
    expect(byId.get(a1.id)).toMatchObject({
      model: 'nope',
      status: 404,
      errorCode: 'MODEL_NOT_FOUND',
    });

    const byModel = await activity('--model', 'gpt');
    expect(byModel.map((r) => r.requestId)).toEqual([a2.id, b2.id]);
    const errors = await activity('--status', '4xx');
    expect(errors.map((r) => r.requestId)).toEqual([a1.id]);
    const last = await activity('-n', '1');
    expect(last.map((r) => r.requestId)).toEqual([b2.id]);
    expect(
      await activity('--since', '2000-01-01T00:00:00Z', '--until', '2000-01-02T00:00:00Z'),
    ).toEqual([]);

    // The table names the stream it read; --files reads this machine's files instead.
    const table = await runCli(gateway.home, ['activity', '--model', 'other']);
    expect(table.stdout).toContain(b1.id);
    const files = await runCli(gateway.home, ['activity', '--files', '--json', '-n', '100']);
    expect(files.code).toBe(0);

    const text = await scrape(first);
    expect(
      metric(text, 'mlx_gateway_audit_records_written_total{sink="redis"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(metric(text, 'mlx_gateway_audit_dropped_total{sink="redis"}')).toBe(0);
  });

  it('activity -f follows both proxies as their requests end (XREAD BLOCK), until Ctrl-C', async () => {
    const follower = startNode(cliMain, ['activity', '-f', '--json', '-n', '0', '--model', 'gpt'], {
      MLX_GATEWAY_HOME: gateway.home,
    });
    gateway.cleanup.group(follower.pid);
    await follower.waitForLine(/following redis:/);
    const a = await post(first, 'gpt');
    const skipped = await post(second, 'other');
    const b = await post(second, 'gpt');
    await follower.waitForLine(new RegExp(a.id));
    await follower.waitForLine(new RegExp(b.id));
    process.kill(follower.pid, 'SIGINT');
    expect(await follower.exited).toBe(0);
    expect(follower.lines.some((l) => l.includes(skipped.id))).toBe(false);
  });

  it('Redis killed mid-way: requests keep succeeding, one warning, counted, recovery logged', async () => {
    await redis.kill();
    const during: string[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const res = await post(first, 'gpt');
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
      during.push(res.id);
    }
    const warning = /audit stream: records cannot be sent to Redis/;
    await gateway.proxy!.waitForLine(warning);
    // More failed tries than warnings: the incident is reported once.
    const text = await waitUntil(async () => {
      const t = await scrape(first);
      return metric(t, 'mlx_gateway_audit_write_errors_total{sink="redis"}') >= 3 && t;
    }, 'three failed sends counted');
    expect(metric(text, 'mlx_gateway_audit_incidents_total{sink="redis"}')).toBe(1);
    expect(metric(text, 'mlx_gateway_audit_pending_records{sink="redis"}')).toBeGreaterThanOrEqual(
      5,
    );
    expect(gateway.proxy!.lines.filter((l) => warning.test(l))).toHaveLength(1);

    await redis.restart();
    await gateway.proxy!.waitForLine(/audit stream: records reach Redis again/);
    // The records of the outage were kept and sent (the restarted Redis starts empty).
    const records = await listed(during);
    expect(records.filter((r) => during.includes(r.requestId))).toHaveLength(5);
    const after = await scrape(first);
    expect(metric(after, 'mlx_gateway_audit_pending_records{sink="redis"}')).toBe(0);
    expect(metric(after, 'mlx_gateway_audit_dropped_total{sink="redis"}')).toBe(0);
  });

  it('activity says clearly when Redis cannot be reached, and --files still works', async () => {
    await redis.kill();
    try {
      const out = await runCli(gateway.home, ['activity']);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('cannot read the activity stream from Redis');
      expect(out.stderr).toContain('--files');
      const files = await runCli(gateway.home, ['activity', '--files', '--json', '-n', '3']);
      expect(files.code).toBe(0);
      expect(files.stdout.trim().split('\n')).toHaveLength(3);
    } finally {
      await redis.restart();
    }
  });
});
