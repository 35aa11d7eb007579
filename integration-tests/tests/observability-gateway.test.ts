import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import {
  Cleanup,
  freePort,
  portRanges,
  registeredChildren,
  standinModel,
  startProxyProcess,
  startSupervisor,
  tempHome,
  writeConfig,
} from '../support/processes.js';
import { postJson, postStream } from '../support/http.js';
import { waitUntil } from '../support/wait.js';

const cleanup = new Cleanup();
let home = '';
afterEach(async () => {
  await cleanup.run(registeredChildren(home).map((c) => c.pid));
});

async function gateway() {
  home = tempHome();
  cleanup.dir(home);
  const port = await freePort();
  writeConfig(
    home,
    `listen: 127.0.0.1:${port}
supervisor:
  ports: ${await portRanges()}
models:
${standinModel('tiny', { MLX_STANDIN_LOAD_MS: 200 })}`,
  );
  const supervisor = await startSupervisor(home);
  cleanup.group(supervisor.pid);
  const proxy = await startProxyProcess(home);
  cleanup.group(proxy.pid);
  return { proxy, url: proxy.url };
}

type Rec = Record<string, unknown> & { requestId: string };

function auditRecords(): Rec[] {
  const dir = join(home, 'audit');
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

/** Waits (polling the files the writer flushes every half second) for `n` records. */
async function waitForRecords(n: number, deadlineMs = 10_000): Promise<Rec[]> {
  await waitUntil(() => auditRecords().length >= n, `${n} audit records`, deadlineMs).catch(
    () => undefined,
  );
  return auditRecords();
}

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello gateway world' }],
  max_tokens: 5,
  ...extra,
});

function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('observability, end to end', () => {
  it('writes one record per request, counts it in /metrics, publishes it live, and loses none on a graceful stop', async () => {
    const { proxy, url } = await gateway();

    // The live events: a follower connected before the requests.
    const events = await request(`${url}/v1/gateway/events`);
    expect(events.statusCode).toBe(200);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of events.body) {
        seen.push((chunk as Buffer).toString('utf8'));
        const all = seen.join('');
        if (all.includes('event: request.ended') && all.includes('event: model.state')) break;
      }
    })();

    const cold = await postJson(`${url}/v1/chat/completions`, chat('tiny'));
    expect(cold.status).toBe(200);
    const stream = await postStream(`${url}/v1/chat/completions`, chat('tiny', { stream: true }));
    expect(stream.status).toBe(200);
    // The usage chunk the gateway asked for is not shown to a client that did not ask.
    expect(stream.events.some((e) => e.includes('"choices":[]'))).toBe(false);
    const unknown = await postJson(`${url}/v1/chat/completions`, chat('nope'));
    expect(unknown.status).toBe(404);
    const messages = await postJson(`${url}/v1/messages`, {
      model: 'tiny',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(messages.status).toBe(200);

    await reading;
    const live = seen.join('');
    expect(live).toContain(cold.headers['x-request-id'] as string);
    expect(live).toMatch(/"model":"tiny","state":"(starting|ready)"/);

    // Four API requests, and the follower of the live events (recorded when it left).
    const records = await waitForRecords(5);
    expect(records).toHaveLength(5);
    const byId = new Map(records.map((r) => [r.requestId, r]));
    expect(byId.get(events.headers['x-request-id'] as string)).toMatchObject({
      api: 'gateway.events',
      status: 200,
      incomplete: 'client_closed',
    });
    const first = byId.get(cold.headers['x-request-id'] as string)!;
    expect(first).toMatchObject({
      v: 1,
      api: 'openai.chat',
      stream: false,
      model: 'tiny',
      resolvedModel: 'tiny',
      backend: 'local',
      status: 200,
      complete: true,
      coldStart: true,
      attempts: [{ target: 'tiny', backend: 'local', outcome: 'ok' }],
    });
    expect(first.modelWaitMs as number).toBeGreaterThan(0);
    expect(first.bytesIn).toBe(JSON.stringify(chat('tiny')).length);
    expect(first.bytesOut as number).toBeGreaterThan(0);
    expect((first.usage as { output: number }).output).toBeGreaterThan(0);
    expect(first.ttfbMs as number).toBeLessThanOrEqual(first.durationMs as number);

    const streamed = byId.get(stream.headers['x-request-id'] as string)!;
    expect(streamed).toMatchObject({ stream: true, status: 200, complete: true, coldStart: false });
    expect(streamed.ttftMs as number).toBeGreaterThan(0);
    expect((streamed.usage as { output: number }).output).toBeGreaterThan(0);

    const missing = byId.get(unknown.headers['x-request-id'] as string)!;
    expect(missing).toMatchObject({
      status: 404,
      errorCode: 'MODEL_NOT_FOUND',
      model: 'nope',
      attempts: [],
      complete: true,
    });
    const translated = records.find((r) => r.api === 'anthropic.messages')!;
    expect(translated).toMatchObject({ status: 200, resolvedModel: 'tiny', complete: true });
    expect((translated.usage as { output: number }).output).toBeGreaterThan(0);

    const scrape = await request(`${url}/metrics`);
    expect(scrape.statusCode).toBe(200);
    const text = await scrape.body.text();
    expect(
      metricValue(
        text,
        'mlx_gateway_requests_total{model="tiny",api="openai.chat",backend="local",status_class="2xx"}',
      ),
    ).toBe(2);
    expect(
      metricValue(
        text,
        'mlx_gateway_requests_total{model="none",api="openai.chat",backend="none",status_class="4xx"}',
      ),
    ).toBe(1);
    expect(metricValue(text, 'mlx_gateway_supervisor_up')).toBe(1);
    expect(metricValue(text, 'mlx_gateway_model_state{model="tiny",state="ready"}')).toBe(1);
    expect(metricValue(text, 'mlx_gateway_model_starts_total{model="tiny",result="ok"}')).toBe(1);

    // A graceful stop writes every record of a request that ended.
    const before = auditRecords().length;
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => postJson(`${url}/v1/chat/completions`, chat('tiny'))),
    );
    expect(burst.every((r) => r.status === 200)).toBe(true);
    process.kill(proxy.pid, 'SIGTERM');
    await proxy.exited;
    expect(auditRecords().length).toBe(before + 5);
  });

  it('a proxy killed with SIGKILL loses at most its last second of records', async () => {
    const { proxy, url } = await gateway();
    // Warm the model so that requests come back fast.
    expect((await postJson(`${url}/v1/chat/completions`, chat('tiny'))).status).toBe(200);
    const ended: Array<{ id: string; at: number }> = [];
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      const res = await postJson(`${url}/v1/chat/completions`, chat('tiny'));
      expect(res.status).toBe(200);
      ended.push({ id: res.headers['x-request-id'] as string, at: Date.now() });
    }
    const killedAt = Date.now();
    process.kill(proxy.pid, 'SIGKILL');
    await proxy.exited;
    // Every line is whole (auditRecords parses each one).
    const written = new Set(auditRecords().map((r) => r.requestId));
    const older = ended.filter((e) => e.at < killedAt - 1_100);
    expect(older.length).toBeGreaterThan(0);
    expect(older.filter((e) => !written.has(e.id))).toEqual([]);
    const lost = ended.filter((e) => !written.has(e.id));
    expect(lost.every((e) => e.at >= killedAt - 1_100)).toBe(true);
  });
});
