import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanups, json, proxyFor, runCleanups } from '../testing/anthropic-route-fixture.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';

/**
 * The translators load on the first request that needs them (translate/load-translators.ts).
 * When that load fails, the request gets the usual error in its client's format, the proxy goes
 * on, and a later request loads them.
 */
const loads = vi.hoisted(() => ({ failing: true, attempts: 0 }));

vi.mock('../translate/translators.js', async (importOriginal) => {
  loads.attempts += 1;
  if (loads.failing) throw new Error('ENOENT: no such file (translators.js)');
  return importOriginal();
});

afterEach(runCleanups);

async function gateway() {
  const fake = await FakeUpstream.start((ex) =>
    json(ex, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    }),
  );
  cleanups.push(() => fake.close());
  const t = await proxyFor([remoteModel('qwen', `${fake.origin}/v1`)]);
  return { fake, url: t.url };
}

const messages = { model: 'qwen', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };

describe('a failed load of the translators', () => {
  it('is answered in the client’s format, and the next request loads them', async () => {
    const { fake, url } = await gateway();

    const anthropic = await send(url, '/v1/messages', { body: messages });
    expect(anthropic.status).toBe(500);
    expect(anthropic.json).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'the gateway could not load its API translators' },
      request_id: anthropic.headers['request-id'],
    });

    const responses = await send(url, '/v1/responses', { body: { model: 'qwen', input: 'hi' } });
    expect(responses.status).toBe(500);
    expect(responses.json).toMatchObject({
      error: { message: 'the gateway could not load its API translators' },
    });
    expect(fake.exchanges).toHaveLength(0);

    // Pass-through requests never needed them.
    const chat = await send(url, '/v1/chat/completions', {
      body: { model: 'qwen', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(chat.status).toBe(200);

    loads.failing = false;
    const attempts = loads.attempts;
    const again = await send(url, '/v1/messages', { body: messages });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'hi' }] });
    expect(loads.attempts).toBe(attempts + 1);
  });
});
