import { afterEach, describe, expect, it } from 'vitest';
import { TestGateway } from '../support/gateway.js';
import { postJson } from '../support/http.js';
import { standinModel, startCount } from '../support/processes.js';

let gw: TestGateway;
afterEach(async () => {
  await gw.stop();
});

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'policy' }],
  max_tokens: 4,
  ...extra,
});

const FAST = { MLX_STANDIN_LOAD_MS: 50 };

describe('model policy', () => {
  it('a preloaded, pinned model is ready without a request, survives eviction pressure and its idle timeout; clients cannot keep a model loaded', async () => {
    gw = new TestGateway();
    await gw.configure(
      [
        standinModel('keeper', FAST, '    pin: true\n    preload: true\n    idleTimeout: 1s\n'),
        standinModel('a', FAST, '    priority: 5\n'),
        standinModel('b', FAST),
        standinModel('short', FAST, '    idleTimeout: 1s\n'),
      ].join('\n'),
      '  maxLoadedModels: 3\n',
    );
    await gw.startSupervisor();

    // Preloaded: ready with no request and no proxy, started as the gateway.
    const keeper = await gw.waitForState('keeper', 'ready');
    expect(keeper).toMatchObject({ owner: 'gateway', pinned: true, preload: true });
    const url = await gw.startProxy();

    // Eviction pressure: three slots, one held by the pinned model. 'short' needs one: of the
    // idle models, 'b' goes (priority 0), not 'a' (priority 5) though 'a' was used longer ago,
    // and never the pinned one.
    for (const model of ['a', 'b']) {
      const res = await postJson(`${url}/v1/chat/completions`, chat(model));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    // A client asking to keep a model loaded (Ollama's keep_alive) changes nothing: 'short'
    // stops after its 1 s idle timeout. By then the pinned model has been idle longer than
    // its own idleTimeout, and still runs, the same process.
    const asked = await postJson(
      `${url}/v1/chat/completions`,
      chat('short', { keep_alive: -1, options: { keep_alive: '24h' } }),
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(await gw.model('b')).toMatchObject({
      state: 'stopped',
      reason: "evicted to make room for 'short'",
    });
    expect(await gw.model('a')).toMatchObject({ state: 'ready', priority: 5 });
    const stopped = await gw.waitForState('short', 'stopped');
    expect(stopped.reason).toBe('idle for 1s');
    expect(await gw.model('keeper')).toMatchObject({ state: 'ready', pid: keeper.pid });
    expect(startCount(gw.home, 'keeper')).toBe(1);
  });

  it('a start that finds only pinned models waits, then says they are pinned', async () => {
    gw = new TestGateway();
    await gw.configure(
      [
        standinModel('keeper', FAST, '    pin: true\n    preload: true\n'),
        standinModel('late', FAST),
      ].join('\n'),
      '  maxLoadedModels: 1\n  capacityWait: 200ms\n',
    );
    await gw.startSupervisor();
    await gw.waitForState('keeper', 'ready');
    const url = await gw.startProxy();
    const res = await postJson(`${url}/v1/chat/completions`, chat('late'));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain("'keeper' (pinned)");
    expect(await gw.model('keeper')).toMatchObject({ state: 'ready' });
  });
});
