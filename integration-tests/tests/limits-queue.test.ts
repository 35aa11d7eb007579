import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { getJson, postJson } from '../support/http.js';
import { standinModel } from '../support/processes.js';
import { streamChat, streamedText } from '../support/sse-client.js';
import { startStreamingGateway } from '../support/streaming-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * Local model queues through the real supervisor, proxy and a stand-in model server: a model
 * limited to one request at a time serves concurrent clients one after the other, in arrival
 * order, keeping the waiting streams alive with heartbeats; a full queue answers 429.
 */
const HEARTBEAT_MS = 100;
const TOKEN_MS = 60;
const TOKENS = 4;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

interface QueueStats {
  active: number;
  waiting: number;
  waited: number;
  refused: number;
}

async function queueOf(url: string, model: string): Promise<QueueStats | undefined> {
  const list = await getJson(`${url}/v1/gateway/models`);
  return (list.body.data as { name: string; queue?: QueueStats }[]).find((m) => m.name === model)
    ?.queue;
}

const chat = (model: string, content: string, stream: boolean) => ({
  model,
  messages: [{ role: 'user', content }],
  stream,
});

describe('a local model with maxConcurrent 1', () => {
  it('serves 10 concurrent streaming clients one at a time, in arrival order, with heartbeats while they wait', async () => {
    const g = await startStreamingGateway({
      proxy: `  heartbeat: ${HEARTBEAT_MS}ms`,
      models: standinModel(
        'solo',
        { MLX_STANDIN_LOAD_MS: 50, MLX_STANDIN_TOKEN_MS: TOKEN_MS, MLX_STANDIN_TOKENS: TOKENS },
        '    maxConcurrent: 1\n    queue: { size: 20, timeout: 60s }\n',
      ),
    });
    gateway = g;
    // The model is loaded first: what follows is about turns, not the start.
    expect(
      (await postJson(`${g.url}/v1/chat/completions`, chat('solo', 'warm up', false))).status,
    ).toBe(200);

    const finished: number[] = [];
    const clients: ReturnType<typeof streamChat>[] = [];
    for (let i = 0; i < 10; i++) {
      const client = streamChat(`${g.url}/v1/chat/completions`, chat('solo', `client ${i}`, true));
      clients.push(client.then((outcome) => (finished.push(i), outcome)));
      // The next client comes once this one is in (served, or in line): a known arrival order.
      // Client 0 is served at once; every later one waits (counted in `waited` once served).
      await waitUntil(async () => {
        const q = await queueOf(g.url, 'solo');
        return q !== undefined && (i === 0 ? q.active === 1 : q.waiting + q.waited === i);
      }, `client ${i} to be served or in line`);
    }
    const outcomes = await Promise.all(clients);
    for (const outcome of outcomes) {
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe(200);
      expect(outcome.events.at(-1)).toBe('[DONE]');
      expect(streamedText(outcome.events).length).toBeGreaterThan(0);
    }
    expect(finished).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The last client waited for nine answers of ~TOKENS × TOKEN_MS each: heartbeats filled it.
    expect(outcomes[9]!.comments).toBeGreaterThanOrEqual(3);
    expect(outcomes[9]!.longestGapMs).toBeLessThan(HEARTBEAT_MS * 5);
    const stats = await queueOf(g.url, 'solo');
    expect(stats).toMatchObject({ active: 0, waiting: 0, waited: 9, refused: 0 });
  });

  it('a full queue answers 429 with Retry-After in the caller format', async () => {
    const g = await startStreamingGateway({
      models: standinModel(
        'tight',
        { MLX_STANDIN_LOAD_MS: 50, MLX_STANDIN_TOKEN_MS: 300, MLX_STANDIN_TOKENS: 4 },
        '    maxConcurrent: 1\n    queue: { size: 1, timeout: 30s }\n',
      ),
    });
    gateway = g;
    const url = `${g.url}/v1/chat/completions`;
    const first = postJson(url, chat('tight', 'one', false));
    await waitUntil(async () => (await queueOf(g.url, 'tight'))?.active === 1, 'the first turn');
    const second = postJson(url, chat('tight', 'two', false));
    await waitUntil(async () => (await queueOf(g.url, 'tight'))?.waiting === 1, 'one in line');
    const third = await postJson(url, chat('tight', 'three', false));
    expect(third.status).toBe(429);
    expect(third.body.error.message).toContain('queue of model "tight" is full');
    expect(third.headers['retry-after']).toBe('30');
    const anthropic = await postJson(
      `${g.url}/v1/messages`,
      { model: 'tight', max_tokens: 5, messages: [{ role: 'user', content: 'four' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(anthropic.status).toBe(429);
    expect(anthropic.body.error.type).toBe('rate_limit_error');
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });
});
