import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import type { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain, standinModel, startNode } from '../support/processes.js';
import { startStreamingGateway } from '../support/streaming-gateway.js';
import { waitUntil } from '../support/wait.js';

/**
 * The line of a local model with `maxConcurrent` is kept by the supervisor for every proxy:
 * two proxy processes send one request at a time to the model between them, in the order the
 * requests arrived whichever proxy took them, and `status` and `/metrics` show the line while
 * requests wait in it.
 */
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const chat = (content: string) => ({
  model: 'solo',
  messages: [{ role: 'user', content }],
  stream: false,
});

describe('a local model line shared by two proxies', () => {
  it('serves both proxies one request at a time in arrival order; status and /metrics show the line', async () => {
    const g = await startStreamingGateway({
      models: standinModel(
        'solo',
        { MLX_STANDIN_LOAD_MS: 50, MLX_STANDIN_TOKEN_MS: 500, MLX_STANDIN_TOKENS: 4 },
        '    maxConcurrent: 1\n    queue: { size: 20, timeout: 60s }\n',
      ),
    });
    gateway = g;
    const second = startNode(cliMain, ['proxy', '--listen', '127.0.0.1:0'], {
      MLX_GATEWAY_HOME: g.home,
    });
    g.cleanup.group(second.pid);
    const url2 = /listening on (http:\S+)/.exec(
      await second.waitForLine(/proxy listening on (http:\S+)/),
    )![1]!;
    // Both proxies warmed up (connected, code loaded), so that each request below reaches the
    // supervisor long before the one ahead of it (2 s of generation) is over.
    expect((await postJson(`${g.url}/v1/chat/completions`, chat('warm up'))).status).toBe(200);
    expect((await postJson(`${url2}/v1/chat/completions`, chat('warm up'))).status).toBe(200);
    // A turn is given back when its answer has ended (a control message after the last byte),
    // so the second warm-up may have waited for the first one's: count the waits from here.
    const warm = await waitUntil(async () => {
      const queue = (await g.model('solo')).queue;
      return queue?.active === 0 ? queue : undefined;
    }, 'the warm-up turns given back');

    const finished: number[] = [];
    const answers: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 6; i++) {
      const url = i % 2 === 0 ? g.url : url2;
      answers.push(
        postJson(`${url}/v1/chat/completions`, chat(`client ${i}`)).then((r) => {
          finished.push(i);
          return r;
        }),
      );
      // The next request comes once the supervisor has this one (served or in line).
      await waitUntil(async () => {
        const q = (await g.model('solo')).queue;
        return (
          q !== undefined && (i === 0 ? q.active === 1 : q.waiting + q.waited - warm.waited === i)
        );
      }, `client ${i} in the line`);
    }

    // While requests wait: the shared figures in `status --json`, `status` and /metrics.
    const json = await runCli(g.home, ['status', '--json']);
    expect(json.code).toBe(0);
    const solo = (
      JSON.parse(json.stdout) as { models: { name: string; queue?: Record<string, number> }[] }
    ).models.find((m) => m.name === 'solo')!;
    expect(solo.queue).toMatchObject({ maxConcurrent: 1, size: 20, active: 1 });
    expect(solo.queue!.waiting).toBeGreaterThanOrEqual(1);
    expect(solo.queue!.oldestWaitMs).toBeGreaterThan(0);
    const scrape = await (await request(`${url2}/metrics`)).body.text();
    const series = (name: string) =>
      Number(
        new RegExp(`^mlx_gateway_model_queue_${name}\\{model="solo"\\} (\\S+)$`, 'm').exec(
          scrape,
        )?.[1],
      );
    expect(series('waiting')).toBeGreaterThanOrEqual(1);
    expect(series('oldest_wait_seconds')).toBeGreaterThan(0);
    expect(series('active')).toBe(1);
    expect(series('wait_seconds_count')).toBeGreaterThanOrEqual(2);
    const text = await runCli(g.home, ['status']);
    expect(text.stdout).toMatch(
      /^QUEUE\s+ACTIVE\s+WAITING\s+OLDEST\s+WAITED\s+AVG WAIT\s+REFUSED$/m,
    );
    expect(text.stdout).toMatch(/^solo\s+[01]\/1\s+\d+\/20\s/m);

    const results = await Promise.all(answers);
    for (const r of results) expect(r.status).toBe(200);
    expect(finished).toEqual([0, 1, 2, 3, 4, 5]);
    // Wait for the last turn to be given back before reading the line's totals.
    const after = await waitUntil(async () => {
      const queue = (await g.model('solo')).queue;
      return queue?.active === 0 ? queue : undefined;
    }, 'every turn given back');
    expect(after).toMatchObject({ active: 0, waiting: 0, waited: warm.waited + 5, refused: 0 });
    const final = await (await request(`${g.url}/metrics`)).body.text();
    // The two warm-ups and six requests each had a turn, five of them after a wait.
    expect(final).toMatch(/^mlx_gateway_model_queue_wait_seconds_count\{model="solo"\} 8$/m);
  });
});
