import { afterEach, describe, expect, it } from 'vitest';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { localModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const chat = { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] };

describe('local backend: stalled requests', () => {
  it('reports the model wedged, with the process the requests stalled on, after wedgedAfter stalls in a row', async () => {
    let stall = true;
    const upstream = await FakeUpstream.start((ex) => {
      if (!stall) jsonCompletion(ex, 'fine');
      // Stalled: the request is read and never answered.
    });
    cleanups.push(() => upstream.close());
    const supervisor = new FakeSupervisor();
    supervisor.setReady('qwen', upstream.origin);
    const t = await startTestProxy({
      models: [
        localModel('qwen', {
          wedgedAfter: 2,
          timeouts: { connectMs: 1_000, firstByteMs: 150, idleMs: 150, totalMs: 10_000 },
        }),
      ],
      supervisor,
    });
    cleanups.push(() => t.close());
    const post = () => send(t.url, '/v1/chat/completions', { body: chat });

    expect((await post()).status).toBe(504);
    stall = false;
    expect((await post()).status).toBe(200); // a success resets the count
    stall = true;
    expect((await post()).status).toBe(504);
    expect(supervisor.wedgedReports).toEqual([]);
    expect((await post()).status).toBe(504);
    expect(supervisor.wedgedReports).toEqual([
      {
        model: 'qwen',
        reason:
          '2 requests in a row stalled (the last one: nothing for 150 ms, its first byte timeout)',
        pid: 4242,
      },
    ]);
  });

  it('a request that waited for a cold start and then timed out is no stall', async () => {
    const upstream = await FakeUpstream.start(() => {
      // Never answers.
    });
    cleanups.push(() => upstream.close());
    const supervisor = new FakeSupervisor();
    supervisor.setStopped('qwen');
    supervisor.onEnsure(() => Promise.resolve({ baseUrl: upstream.origin, pid: 7 }));
    const t = await startTestProxy({
      models: [
        localModel('qwen', {
          wedgedAfter: 1,
          timeouts: { connectMs: 1_000, firstByteMs: 150, idleMs: 150, totalMs: 10_000 },
        }),
      ],
      supervisor,
    });
    cleanups.push(() => t.close());
    expect((await send(t.url, '/v1/chat/completions', { body: chat })).status).toBe(504);
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(supervisor.wedgedReports).toEqual([]);
    supervisor.setReady('qwen', upstream.origin);
    expect((await send(t.url, '/v1/chat/completions', { body: chat })).status).toBe(504);
    expect(supervisor.wedgedReports).toMatchObject([{ model: 'qwen', pid: 4242 }]);
  });
});
