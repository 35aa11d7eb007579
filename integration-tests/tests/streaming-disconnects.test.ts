import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { proxyHeap } from '../support/heap-debug.js';
import { standinModel } from '../support/processes.js';
import { requestLogLines } from '../support/request-log.js';
import { planClients, type ClientPlan } from '../support/disconnect-plans.js';
import { seededRandom } from '../support/seeded-random.js';
import { streamChat, type StreamOptions } from '../support/sse-client.js';
import { standinStats, type StandinStatsSnapshot } from '../support/standin-stats.js';
import { modelPort, startStreamingGateway } from '../support/streaming-gateway.js';
import { waitUntil } from '../support/wait.js';

// Each generation takes TOKENS x TOKEN_MS (300 ms). Clients that read to the end ask `chatty`;
// clients that give up (after at most 30 events or 100 ms) ask `stalls`, the same stand-in
// except that its streams stop after STALL_AFTER tokens and wait: none of them can end unless
// its client reads it all, so a stalled stream that ends for any other reason than being
// cancelled was not cancelled when its client left. (With one model, a client slowed down
// by a busy machine could leave after the stand-in had already sent its last token: a race.)
const TOKENS = 60;
const TOKEN_MS = 5;
const STALL_AFTER = 40;
const REQUESTS = 1_000;
const WARMUP_REQUESTS = 200;
const CONCURRENCY = 50;
const SEED = Number(process.env['MLX_GATEWAY_TEST_SEED'] ?? 20_240_601);

let gateway: (TestGateway & { url: string }) | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await gateway?.stop();
  gateway = undefined;
});

interface RoundResult {
  completed: string[];
  aborted: string[];
  failed: string[];
}

/** Runs the clients, CONCURRENCY at a time; each has its own x-request-id. */
async function runClients(url: string, plans: ClientPlan[], prefix: string): Promise<RoundResult> {
  const result: RoundResult = { completed: [], aborted: [], failed: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < plans.length; i = next++) {
      const plan = plans[i]!;
      const reqId = `${prefix}-${i}`;
      const options: StreamOptions = { headers: { 'x-request-id': reqId }, dispatcher: agent! };
      if (plan.kind === 'events') options.abortAfterEvents = plan.n;
      if (plan.kind === 'delay') options.abortAfterMs = plan.ms;
      const model = plan.kind === 'complete' ? 'chatty' : 'stalls';
      const out = await streamChat(
        `${url}/v1/chat/completions`,
        { model, messages: [{ role: 'user', content: 'talk to me' }], stream: true },
        options,
      );
      if (out.aborted) result.aborted.push(reqId);
      else if (out.status === 200 && out.events.at(-1) === '[DONE]' && out.error === undefined) {
        result.completed.push(reqId);
      } else result.failed.push(`${reqId}: ${out.status} ${out.error?.message ?? ''}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}

/** Waits until nothing runs anywhere: no generation in the stand-in, no lease in the supervisor. */
async function quiet(g: TestGateway, model: string, port: number): Promise<StandinStatsSnapshot> {
  await waitUntil(async () => (await g.model(model)).leases === 0, `no lease on ${model}`, 15_000);
  return waitUntil(async () => {
    const s = await standinStats(port);
    return s.active === 0 ? s : undefined;
  }, `no generation left in ${model}`);
}

/** Both models' stand-in figures once nothing runs. */
async function quietBoth(
  g: TestGateway,
  ports: { chatty: number; stalls: number },
): Promise<{ chatty: StandinStatsSnapshot; stalls: StandinStatsSnapshot }> {
  return {
    chatty: await quiet(g, 'chatty', ports.chatty),
    stalls: await quiet(g, 'stalls', ports.stalls),
  };
}

describe('clients that hang up mid-stream', () => {
  it(`${REQUESTS} streams with random client disconnects (${CONCURRENCY} at a time): every abandoned generation is cancelled, no lease is left, the proxy heap returns to its baseline`, async () => {
    const g = await startStreamingGateway({
      models:
        standinModel('chatty', { MLX_STANDIN_TOKENS: TOKENS, MLX_STANDIN_TOKEN_MS: TOKEN_MS }) +
        standinModel('stalls', {
          MLX_STANDIN_TOKENS: TOKENS,
          MLX_STANDIN_TOKEN_MS: TOKEN_MS,
          MLX_STANDIN_STREAM: `stall-after:${STALL_AFTER}`,
        }),
      heapDebug: true,
    });
    gateway = g;
    agent = new Agent({ connections: CONCURRENCY });
    const random = seededRandom(SEED);

    // Warm-up: the same mix, so that pools, caches and compiled code exist before the baseline.
    const warm = await runClients(g.url, planClients(WARMUP_REQUESTS, random), 'warm');
    expect(warm.failed).toEqual([]);
    const ports = { chatty: await modelPort(g, 'chatty'), stalls: await modelPort(g, 'stalls') };
    const before = await quietBoth(g, ports);
    const baseline = await proxyHeap(g.url);

    const plans = planClients(REQUESTS, random);
    const round = await runClients(g.url, plans, 'round');
    expect(round.failed, `seed ${SEED}`).toEqual([]);
    expect(round.completed.length + round.aborted.length).toBe(REQUESTS);
    expect(round.completed.length).toBeGreaterThan(100);
    expect(round.aborted.length).toBeGreaterThan(500);

    // Every request the stand-ins saw either ran to its end for a client that read it all, or
    // was cancelled when its client left: none is still running, none finished for nobody.
    const after = await quietBoth(g, ports);
    const delta = (model: 'chatty' | 'stalls', field: keyof StandinStatsSnapshot): number =>
      Number(after[model][field]) - Number(before[model][field]);
    expect(delta('chatty', 'broken') + delta('stalls', 'broken')).toBe(0);
    expect(delta('chatty', 'completed'), `seed ${SEED}`).toBe(round.completed.length);
    expect(delta('chatty', 'aborted')).toBe(0);
    expect(delta('stalls', 'completed'), `seed ${SEED}`).toBe(0);
    expect(delta('stalls', 'aborted')).toBe(delta('stalls', 'requests'));
    const seen = delta('chatty', 'requests') + delta('stalls', 'requests');
    expect(seen).toBeGreaterThan(REQUESTS * 0.8);

    // The request log: one line per request the stand-in saw at least, and only the clients
    // that read to the end are marked complete.
    const lines = await waitUntil(() => {
      const all = requestLogLines(g.proxy!.lines).filter((l) => l.reqId.startsWith('round-'));
      const ids = new Set(all.map((l) => l.reqId));
      return all.length >= seen && round.completed.every((id) => ids.has(id)) ? all : undefined;
    }, 'a request log line for every request');
    const completeIds = new Set(lines.filter((l) => l.complete === true).map((l) => l.reqId));
    expect([...completeIds].sort()).toEqual([...round.completed].sort());
    const abortedIds = new Set(round.aborted);
    for (const line of lines.filter((l) => abortedIds.has(l.reqId))) {
      expect(line).toMatchObject({ complete: false, clientClosed: true });
    }

    const heap = await proxyHeap(g.url);
    expect(
      heap.heapUsed,
      `heap after GC ${heap.heapUsed} bytes, baseline ${baseline.heapUsed} bytes`,
    ).toBeLessThanOrEqual(baseline.heapUsed * 1.1);
  });
});
