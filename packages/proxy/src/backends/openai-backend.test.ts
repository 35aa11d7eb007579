import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';

const SECRET = 'sk-test-0123456789abcdefghijklmnop';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('openai-compatible backend', () => {
  it('sends the gateway key as a bearer token and never the client credentials', async () => {
    const upstream = await FakeUpstream.start((ex) => jsonCompletion(ex));
    cleanups.push(() => upstream.close());
    const t = await startTestProxy({
      models: [
        remoteModel('cloud', `${upstream.origin}/v1`, {
          backend: 'openai',
          apiKey: { kind: 'env', name: 'CLOUD_KEY' },
          headers: { 'OpenAI-Organization': 'org-gateway' },
          secretHeaders: { 'x-extra-token': { kind: 'store', name: 'extra' } },
        }),
      ],
      secrets: { CLOUD_KEY: SECRET, extra: 'extra-secret-value-123' },
    });
    cleanups.push(() => t.close());

    const res = await send(t.url, '/v1/chat/completions', {
      body: { model: 'cloud', messages: [] },
      headers: {
        authorization: 'Bearer client-key-should-not-travel',
        'x-api-key': 'client-x-api-key',
        cookie: 'session=abc',
        'x-request-id': 'req-42',
        'user-agent': 'test-client/1.0',
        connection: 'keep-alive',
      },
    });
    expect(res.status).toBe(200);
    const headers = upstream.exchanges[0]?.req.headers ?? {};
    expect(headers['authorization']).toBe(`Bearer ${SECRET}`);
    expect(headers['openai-organization']).toBe('org-gateway');
    expect(headers['x-extra-token']).toBe('extra-secret-value-123');
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['cookie']).toBeUndefined();
    expect(headers['x-request-id']).toBe('req-42');
    expect(headers['user-agent']).toBe('test-client/1.0');
    expect(upstream.exchanges[0]?.req.url).toBe('/v1/chat/completions');

    await t.logger.waitForRequests(1);
    const logged = JSON.stringify(t.logger.lines);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain('client-key-should-not-travel');
    expect(logged).not.toContain('messages');
  });

  it('forwards the client body bytes unchanged when the model id stays the same', async () => {
    const upstream = await FakeUpstream.start((ex) => jsonCompletion(ex));
    cleanups.push(() => upstream.close());
    const t = await startTestProxy({ models: [remoteModel('same', `${upstream.origin}/v1`)] });
    cleanups.push(() => t.close());
    const raw =
      '{"model":"same",   "messages":[{"role":"user","content":"hi"}],"x_vendor":{"keep":1}}';
    const res = await send(t.url, '/v1/chat/completions', { body: raw });
    expect(res.status).toBe(200);
    expect(upstream.exchanges[0]?.body).toBe(raw);
  });

  it('relays a non-streamed answer with its status and content type', async () => {
    const upstream = await FakeUpstream.start((ex) => {
      ex.res.writeHead(201, {
        'content-type': 'application/json; charset=utf-8',
        'x-internal': 'hidden',
      });
      ex.res.end('{"ok":true}');
    });
    cleanups.push(() => upstream.close());
    const t = await startTestProxy({ models: [remoteModel('cloud', `${upstream.origin}/v1`)] });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/embeddings', { body: { model: 'cloud', input: 'x' } });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-internal']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.text).toBe('{"ok":true}');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({
      reqId: res.headers['x-request-id'],
      method: 'POST',
      path: '/v1/embeddings',
      model: 'cloud',
      target: 'cloud',
      backend: 'openai-compatible',
      status: 201,
      stream: false,
      complete: true,
      bytes: 11,
      attempts: 1,
    });
    expect(line['durationMs']).toEqual(expect.any(Number));
    expect(line['ttfbMs']).toEqual(expect.any(Number));
  });
});
