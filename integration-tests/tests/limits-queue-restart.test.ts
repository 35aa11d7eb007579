import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { cliMain, standinModel, startNode } from '../support/processes.js';
import { streamChat, streamedText } from '../support/sse-client.js';
import { standinStats } from '../support/standin-stats.js';
import { waitUntil } from '../support/wait.js';

/**
 * The line of a local model with `maxConcurrent` survives a supervisor restart: with
 * `keepModelsOnExit` the model server outlives a supervisor killed with SIGKILL and the next
 * supervisor adopts it, still serving the request that held the turn. The proxy re-declares
 * that turn and the request it had waiting in line, so the new supervisor lets no one else in
 * (another proxy's request neither) until the stream ends: never two requests at once on the
 * model, every request answered, in the order they came.
 */
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const chat = (content: string, maxTokens: number) => ({
  model: 'solo',
  messages: [{ role: 'user', content }],
  max_tokens: maxTokens,
});

describe('a local model line across a supervisor restart', () => {
  it('keeps one request at a time on an adopted model: the turn held and the request waiting are re-declared', async () => {
    const g = new TestGateway();
    gateway = g;
    await g.configure(
      standinModel(
        'solo',
        { MLX_STANDIN_LOAD_MS: 50, MLX_STANDIN_TOKEN_MS: 200, MLX_STANDIN_TOKENS: 50 },
        '    maxConcurrent: 1\n    queue: { size: 10, timeout: 60s }\n',
      ),
      '  keepModelsOnExit: true',
    );
    const supervisor = await g.startSupervisor();
    const url = await g.startProxy();
    const endpoint = `${url}/v1/chat/completions`;
    const other = startNode(cliMain, ['proxy', '--listen', '127.0.0.1:0'], {
      MLX_GATEWAY_HOME: g.home,
    });
    g.cleanup.group(other.pid);
    const otherUrl = /listening on (http:\S+)/.exec(
      await other.waitForLine(/proxy listening on (http:\S+)/),
    )![1]!;
    expect((await postJson(endpoint, chat('warm up', 1))).status).toBe(200);
    const { pid, port } = await g.model('solo');
    await waitUntil(
      async () => (await g.model('solo')).queue?.active === 0,
      'the warm-up turn back',
    );

    const ended: string[] = [];
    // A: a 10 s stream, holding the turn; B: waiting in line behind it.
    const a = streamChat(endpoint, { ...chat('long story', 50), stream: true }).then((o) => {
      ended.push('a');
      return o;
    });
    await waitUntil(async () => (await standinStats(port!)).active === 1, 'A generating');
    const b = postJson(endpoint, chat('second', 2)).then((r) => {
      ended.push('b');
      return r;
    });
    await waitUntil(async () => (await g.model('solo')).queue?.waiting === 1, 'B in line');

    process.kill(supervisor.pid, 'SIGKILL');
    await supervisor.exited;
    await g.startSupervisor();
    // C: a request to the other proxy after the restart, while A still streams from the
    // adopted model.
    const c = postJson(`${otherUrl}/v1/chat/completions`, chat('third', 2)).then((r) => {
      ended.push('c');
      return r;
    });
    expect(await g.model('solo')).toMatchObject({ state: 'ready', pid });
    const line = await waitUntil(async () => {
      const queue = (await g.model('solo')).queue;
      return queue?.waiting === 2 ? queue : undefined;
    }, 'B and C in the new supervisor’s line');
    expect(line).toMatchObject({ maxConcurrent: 1, active: 1, waiting: 2 });
    expect(ended).toEqual([]);
    expect((await standinStats(port!)).active).toBe(1);

    const [streamed, second, third] = await Promise.all([a, b, c]);
    expect(streamed.error).toBeUndefined();
    expect(streamed.status).toBe(200);
    expect(streamedText(streamed.events).length).toBeGreaterThan(0);
    expect(second.status).toBe(200);
    expect(third.status).toBe(200);
    expect(ended).toEqual(['a', 'b', 'c']);
    // One model process all along, never serving two requests at once.
    expect(await standinStats(port!)).toMatchObject({
      pid,
      active: 0,
      peakActive: 1,
      completed: 4,
    });
    // Every turn given back once: the one the old supervisor granted too.
    const after = await waitUntil(async () => {
      const queue = (await g.model('solo')).queue;
      return queue?.active === 0 ? queue : undefined;
    }, 'every turn back');
    expect(after).toMatchObject({ active: 0, waiting: 0, refused: 0 });
    expect(g.proxy!.lines.some((l) => l.includes('"level":30'))).toBe(true); // JSON logs
    expect(g.proxy!.lines.filter((l) => /"level":(40|50)/.test(l) && /turn/i.test(l))).toEqual([]);
  });
});
