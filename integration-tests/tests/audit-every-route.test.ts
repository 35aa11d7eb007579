import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createClientKey } from '@mlx-gateway/shared/clients';
import type { AuditRecord } from '@mlx-gateway/proxy';
import { FakeOpenAICloud } from '../fakes/openai-cloud.js';
import { TestGateway } from '../support/gateway.js';
import { closedPort } from '../support/processes.js';
import { configureSections, fakeProvider, startProxyWithEnv } from '../support/routing-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Issue 13: every request the proxy answers gets one audit record, the web app's routes and the
 * errors the proxy answers itself included, with the size of the body it sent; a full disk
 * fails no request (reported once, counted).
 */
const CLOUD_KEY = 'sk-fake-every-route-0123456789abcdef';
const gateway = new TestGateway();
let cloud: FakeOpenAICloud;
let url = '';
let key = '';
let limitedKey = '';

function auditRecords(home: string): AuditRecord[] {
  const dir = join(home, 'audit');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as AuditRecord),
    );
}

function recordOf(id: string): Promise<AuditRecord> {
  return waitUntil(
    () => auditRecords(gateway.home).find((r) => r.requestId === id),
    `the audit record of ${id}`,
  );
}

interface Answer {
  status: number;
  id: string;
  bytes: number;
  body: string;
}

async function send(
  method: string,
  path: string,
  options: { body?: string; auth?: string } = {},
): Promise<Answer> {
  const res = await request(`${url}${path}`, {
    method: method as 'GET',
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.auth === undefined ? {} : { authorization: `Bearer ${options.auth}` }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return {
    status: res.statusCode,
    id: res.headers['x-request-id'] as string,
    bytes: body.length,
    body: body.toString('utf8'),
  };
}

/** The fields every record of a request the gateway answered without a model has. */
function answered(a: Answer, api: string, fields: Partial<AuditRecord> = {}) {
  return {
    v: 1,
    requestId: a.id,
    api,
    stream: false,
    attempts: [],
    coldStart: false,
    status: a.status,
    complete: true,
    bytesIn: 0,
    bytesOut: a.bytes,
    ...fields,
  };
}

beforeAll(async () => {
  cloud = await FakeOpenAICloud.start({ apiKey: CLOUD_KEY, models: ['gpt-4o'] });
  const gonePort = await closedPort();
  await configureSections(
    gateway,
    `providers:
${fakeProvider('cloud', cloud.baseUrl, 'CLOUD_KEY')}${fakeProvider('gone', `http://127.0.0.1:${gonePort}/v1`, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o }
  nowhere: { provider: gone, upstreamModel: x }
`,
  );
  key = (await createClientKey(gateway.home, 'ci')).key;
  limitedKey = (await createClientKey(gateway.home, 'tight', { limits: { rpm: 1 } })).key;
  url = await startProxyWithEnv(gateway, { CLOUD_KEY });
});

afterAll(async () => {
  await gateway.stop();
  await cloud?.close();
});

describe("audit records of the web app's routes", () => {
  it('GET /v1/models and /v1/gateway/models: named, with the client and the bytes sent', async () => {
    const models = await send('GET', '/v1/models', { auth: key });
    expect(models.status).toBe(200);
    const record = await recordOf(models.id);
    expect(record).toMatchObject(answered(models, 'openai.models', { client: 'ci' }));
    expect(record.bytesOut).toBeGreaterThan(0);
    expect(record.errorCode).toBeUndefined();
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record.time)).toBeGreaterThan(Date.now() - 60_000);

    const gw = await send('GET', '/v1/gateway/models', { auth: key });
    expect(await recordOf(gw.id)).toMatchObject(answered(gw, 'gateway.models', { client: 'ci' }));
    const one = await send('GET', '/v1/models/gpt', { auth: key });
    expect(await recordOf(one.id)).toMatchObject(answered(one, 'openai.models.retrieve'));
  });

  it('the errors the web app answers: 404 (unknown path), 405, 401, each with its body size', async () => {
    const missing = await send('GET', '/v1/nothing-here', { auth: key });
    expect(missing.status).toBe(404);
    expect(await recordOf(missing.id)).toMatchObject(
      answered(missing, 'unknown', { errorCode: 'NOT_FOUND', client: 'ci' }),
    );
    const wrongMethod = await send('GET', '/v1/chat/completions', { auth: key });
    expect(wrongMethod.status).toBe(405);
    expect(await recordOf(wrongMethod.id)).toMatchObject(
      answered(wrongMethod, 'openai.chat', { errorCode: 'METHOD_NOT_ALLOWED' }),
    );
    const noKey = await send('GET', '/v1/models');
    expect(noKey.status).toBe(401);
    const record = await recordOf(noKey.id);
    expect(record).toMatchObject(answered(noKey, 'openai.models'));
    expect(record.client).toBeUndefined();
    expect(typeof record.errorCode).toBe('string');
  });

  it('a follower of the live events: recorded when it leaves, with the bytes it got', async () => {
    const controller = new AbortController();
    const res = await request(`${url}/v1/gateway/events`, { signal: controller.signal });
    expect(res.statusCode).toBe(200);
    const id = res.headers['x-request-id'] as string;
    let got = 0;
    for await (const chunk of res.body) {
      got += (chunk as Buffer).length;
      if ((chunk as Buffer).toString().includes(': connected')) break;
    }
    controller.abort();
    const record = await recordOf(id);
    expect(record).toMatchObject({
      api: 'gateway.events',
      status: 200,
      complete: false,
      incomplete: 'client_closed',
    });
    expect(record.bytesOut).toBeGreaterThanOrEqual(got);
  });

  it('successful health checks and scrapes are monitoring and get no record; a refused one does', async () => {
    const health = await send('GET', '/health');
    const scrape = await send('GET', '/metrics');
    expect(health.status).toBe(200);
    expect(scrape.status).toBe(200);
    const wrong = await send('POST', '/health', { auth: key, body: '{}' });
    expect(wrong.status).toBe(405);
    expect(await recordOf(wrong.id)).toMatchObject({
      api: 'gateway.health',
      status: 405,
      bytesOut: wrong.bytes,
      errorCode: 'METHOD_NOT_ALLOWED',
    });
    // Records are written in order: once the later one is on disk, the earlier ones would be.
    const ids = new Set(auditRecords(gateway.home).map((r) => r.requestId));
    expect(ids.has(health.id)).toBe(false);
    expect(ids.has(scrape.id)).toBe(false);
  });
});

describe("bytes out of the proxy's own error answers", () => {
  const chat = (model: string) =>
    JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });

  it('invalid JSON (400) and an unknown model (404): the error body is the bytes out', async () => {
    const bad = await send('POST', '/v1/chat/completions', { auth: key, body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(await recordOf(bad.id)).toMatchObject(
      answered(bad, 'openai.chat', {
        bytesIn: 9,
        client: 'ci',
        errorCode: expect.any(String),
      }),
    );
    const unknown = await send('POST', '/v1/chat/completions', { auth: key, body: chat('nope') });
    expect(unknown.status).toBe(404);
    const record = await recordOf(unknown.id);
    expect(record).toMatchObject(
      answered(unknown, 'openai.chat', { model: 'nope', bytesIn: Buffer.byteLength(chat('nope')) }),
    );
    expect(record.bytesOut).toBe(Buffer.byteLength(unknown.body));
    expect(record.bytesOut).toBeGreaterThan(20);
  });

  it('an upstream the proxy cannot reach: its error answer counted in bytes out', async () => {
    const down = await send('POST', '/v1/chat/completions', { auth: key, body: chat('nowhere') });
    expect(down.status).toBeGreaterThanOrEqual(500);
    const record = await recordOf(down.id);
    expect(record).toMatchObject({
      api: 'openai.chat',
      model: 'nowhere',
      resolvedModel: 'nowhere',
      status: down.status,
      complete: true,
      bytesOut: down.bytes,
      attempts: [{ target: 'nowhere', outcome: 'error' }],
    });
    expect(down.bytes).toBeGreaterThan(20);
  });

  it('a client over its limit (429): the refusal counted in bytes out', async () => {
    let over: Answer | undefined;
    for (let i = 0; i < 4 && over === undefined; i++) {
      const a = await send('POST', '/v1/chat/completions', { auth: limitedKey, body: chat('gpt') });
      if (a.status === 429) over = a;
      else expect(a.status).toBe(200);
    }
    expect(over).toBeDefined();
    expect(await recordOf(over!.id)).toMatchObject({
      api: 'openai.chat',
      client: 'tight',
      status: 429,
      errorCode: expect.any(String),
      bytesOut: over!.bytes,
    });
  });
});

describe('a full disk under the audit log', () => {
  it('fails no request: reported once, counted, and the records wait', async () => {
    const full = new TestGateway();
    try {
      await configureSections(
        full,
        `providers:
${fakeProvider('cloud', cloud.baseUrl, 'CLOUD_KEY')}models:
  gpt: { provider: cloud, upstreamModel: gpt-4o }
`,
      );
      // Today's file is /dev/full: every write fails with ENOSPC, as on a full disk.
      const dir = join(full.home, 'audit');
      mkdirSync(dir, { recursive: true });
      const today = new Date().toISOString().slice(0, 10);
      symlinkSync('/dev/full', join(dir, `audit-${today}.jsonl`));
      const fullUrl = await startProxyWithEnv(full, { CLOUD_KEY });
      const body = { model: 'gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };
      for (let i = 0; i < 3; i++) {
        const res = await request(`${fullUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.statusCode).toBe(200);
        await res.body.text();
      }
      const metric = (text: string, series: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${series} `))
            ?.split(' ')[1] ?? NaN,
        );
      const text = await waitUntil(async () => {
        const t = await (await request(`${fullUrl}/metrics`)).body.text();
        return metric(t, 'mlx_gateway_audit_write_errors_total{sink="file"}') >= 2 && t;
      }, 'two failed writes counted');
      expect(metric(text, 'mlx_gateway_audit_incidents_total{sink="file"}')).toBe(1);
      expect(metric(text, 'mlx_gateway_audit_pending_records{sink="file"}')).toBeGreaterThanOrEqual(
        3,
      );
      const warnings = full.proxy!.lines.filter((l) =>
        l.includes('audit log: records cannot be written'),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('ENOSPC');
    } finally {
      await full.stop();
    }
  });
});
