import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { getJson, postJson, postStream } from '../support/http.js';
import { proxyMain, standinModel, startCount, startNode } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'are you there' }],
  max_tokens: 4,
  ...extra,
});

/** Another proxy process of the same gateway, on a port of its own. */
async function secondProxy(gateway: TestGateway): Promise<string> {
  const p = startNode(proxyMain, ['--listen', '127.0.0.1:0'], { MLX_GATEWAY_HOME: gateway.home });
  gateway.cleanup.group(p.pid);
  const line = await p.waitForLine(/proxy listening on (http:\S+)/);
  return /listening on (http:\S+)/.exec(line)![1]!;
}

describe('self-healing', () => {
  it('a ready model whose /health answers but whose requests stall is restarted once after wedgedAfter stalls, even when two proxies report it', async () => {
    gw = new TestGateway();
    await gw.configure(
      standinModel(
        'stuck',
        // It ignores SIGTERM, so the restart takes stopGrace: every stalled request ends in its
        // own timeout (none is cut by the restart), and both proxies reach their count.
        {
          MLX_STANDIN_STREAM: 'stall-after:0',
          MLX_STANDIN_LOAD_MS: 50,
          MLX_STANDIN_IGNORE_SIGTERM: 1,
        },
        '    wedgedAfter: 2\n    timeouts: { firstByte: 400ms, idle: 400ms }\n',
      ),
      '  stopGrace: 1s\n',
    );
    await gw.startSupervisor();
    const urls = [await gw.startProxy(), await secondProxy(gw)];
    await gw.control().request({ cmd: 'ensure', model: 'stuck' });
    const before = await gw.model('stuck');
    const health = await getJson(`${before.baseUrl}/health`);
    expect(health.status).toBe(200);

    // Two stalled requests through each proxy at once: both proxies reach their count.
    const stalled = await Promise.all(
      urls.flatMap((url) =>
        [1, 2].map(() => postJson(`${url}/v1/chat/completions`, chat('stuck'))),
      ),
    );
    for (const r of stalled) {
      expect(r.status).toBe(504);
      expect(r.body.error.message).toMatch(/sent nothing within 400 ms/);
    }
    const after = await waitUntil(async () => {
      const m = await gw.model('stuck');
      return m.state === 'ready' && m.pid !== before.pid ? m : undefined;
    }, 'the wedged model to be ready again in a new process');
    expect(after.wedgedRestarts).toBe(1);
    expect(after.wedgedReason).toMatch(
      /^2 requests in a row stalled \(the last one: nothing for 400 ms, its first byte timeout\)$/,
    );
    expect(after.wedgedAt).toBeGreaterThan(before.readyAt!);
    expect(startCount(gw.home, 'stuck')).toBe(2);
    // Both proxies reported (before answering their clients); one restart.
    expect(gw.supervisor!.lines.filter((l) => l.includes('model wedged; restarting'))).toHaveLength(
      1,
    );
    const metrics = await gw.control().request({ cmd: 'metrics' });
    expect(metrics.stops).toContainEqual({ model: 'stuck', reason: 'wedged', count: 1 });
    // A report about the process that is gone (a late proxy) changes nothing.
    const late = await gw
      .control()
      .request({ cmd: 'wedged', model: 'stuck', reason: 'late', pid: before.pid! });
    expect(late).toMatchObject({ restarted: false, wedgedRestarts: 1, pid: after.pid });
    const stopLine = gw.supervisor!.lines.find((l) => l.includes('wedged, restarting: 2 requests'));
    expect(stopLine).toBeDefined();
  });

  it('requests in flight on a model that dies before sending a byte fail over to its fallback', async () => {
    gw = new TestGateway();
    await gw.configure(
      [
        standinModel(
          'dies',
          { MLX_STANDIN_FIRST_TOKEN_MS: 60_000, MLX_STANDIN_LOAD_MS: 50 },
          '    fallbacks: [backup]\n',
        ),
        standinModel('backup', { MLX_STANDIN_LOAD_MS: 50 }),
      ].join('\n'),
      '  maxLoadedModels: 2\n',
    );
    await gw.startSupervisor();
    const url = await gw.startProxy();
    await gw.control().request({ cmd: 'ensure', model: 'dies' });
    const dying = await gw.model('dies');

    const plain = postJson(`${url}/v1/chat/completions`, chat('dies'));
    const streamed = postStream(`${url}/v1/chat/completions`, chat('dies', { stream: true }));
    await waitUntil(async () => {
      const stats = await getJson(`${dying.baseUrl}/v1/standin/stats`);
      return stats.body.active === 2;
    }, 'both requests to be in flight on the model');
    process.kill(-dying.pid!, 'SIGKILL');

    const [answered, stream] = await Promise.all([plain, streamed]);
    expect(answered.status).toBe(200);
    expect(answered.headers['x-mlx-gateway-target']).toBe('backup');
    expect(answered.body.choices[0].message.content).toBeTruthy();
    expect(stream.status).toBe(200);
    expect(stream.events.at(-1)).toBe('[DONE]');
    const chunks = stream.events.slice(0, -1).map((e) => JSON.parse(e) as { error?: unknown });
    expect(chunks.some((c) => c.error !== undefined)).toBe(false);
    expect(chunks.length).toBeGreaterThan(1);
    const died = await gw.waitForState('dies', 'stopped');
    expect(died.reason).toMatch(/was killed by SIGKILL while ready/);
  });
});
