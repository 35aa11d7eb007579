import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientKey } from '@mlx-gateway/shared/clients';
import type { GatewayConfig, ProxyConfig } from '@mlx-gateway/shared/config';
import { startProxy } from '../server.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, jsonCompletion } from '../testing/fake-upstream.js';
import { send } from '../testing/proxy-client.js';
import { RecordingLogger } from '../testing/recording-logger.js';
import { gatewayConfig, localModel, remoteModel } from '../testing/test-config.js';

const UPSTREAM_KEY = 'sk-upstream-0123456789abcdefghij';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: { keys?: Array<{ name: string; models?: string[] }>; proxy?: Partial<ProxyConfig> } = {},
) {
  const home = await mkdtemp(join(tmpdir(), 'mgw-auth-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const keys: Record<string, string> = {};
  for (const k of options.keys ?? []) {
    keys[k.name] = (await createClientKey(home, k.name, k.models ? { models: k.models } : {})).key;
  }
  const upstream = await FakeUpstream.start((exchange) => jsonCompletion(exchange, 'hi'));
  cleanups.push(() => upstream.close());
  const supervisor = new FakeSupervisor();
  supervisor.setReady('local', upstream.origin);
  const config: GatewayConfig = {
    ...gatewayConfig(
      [
        localModel('local', { aliases: ['local-alias'] }),
        remoteModel('cloud', `${upstream.origin}/v1`, { apiKey: { kind: 'env', name: 'UP' } }),
      ],
      options.proxy,
    ),
    home,
  };
  const logger = new RecordingLogger();
  const proxy = await startProxy({
    config,
    supervisor,
    logger,
    resolveSecret: async () => UPSTREAM_KEY,
  });
  cleanups.push(() => proxy.close());
  return { url: proxy.url, keys, upstream, logger, proxy };
}

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('client authentication', () => {
  it('lets every request through while no client key exists (loopback only)', async () => {
    const { url } = await setup();
    expect((await send(url, '/v1/models', { method: 'GET' })).status).toBe(200);
    const res = await send(url, '/v1/chat/completions', { method: 'POST', body: chat('local') });
    expect(res.status).toBe(200);
  });

  it('answers 401 without a key or with a wrong one, in the caller format, never repeating the key', async () => {
    const { url, logger } = await setup({ keys: [{ name: 'laptop' }] });
    const wrong = 'mgw-wrong-key-presented-by-a-stranger-000';

    const missing = await send(url, '/v1/chat/completions', {
      method: 'POST',
      body: chat('local'),
    });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      error: {
        message: expect.stringContaining('requires a client API key'),
        type: 'authentication_error',
        param: null,
        code: 'unauthorized',
      },
    });

    const bad = await send(url, '/v1/chat/completions', {
      method: 'POST',
      headers: bearer(wrong),
      body: chat('local'),
    });
    expect(bad.status).toBe(401);
    expect(bad.json['error']).toMatchObject({ type: 'authentication_error', code: 'unauthorized' });
    expect(bad.text).not.toContain(wrong);
    expect(JSON.stringify(bad.headers)).not.toContain(wrong);

    const anthropic = await send(url, '/v1/messages', {
      method: 'POST',
      headers: { 'x-api-key': wrong },
      body: { model: 'local', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(anthropic.status).toBe(401);
    expect(anthropic.json).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('not valid') },
    });
    expect(anthropic.text).not.toContain(wrong);
    expect(anthropic.headers['request-id']).toBe(anthropic.headers['x-request-id']);
    expect(anthropic.json['request_id']).toBe(anthropic.headers['x-request-id']);

    // An unknown path is not revealed to a caller without a key.
    expect((await send(url, '/v1/nothing-here', { method: 'GET' })).status).toBe(401);
    expect(JSON.stringify(logger.lines)).not.toContain(wrong);
    expect(logger.requests.at(-1)).toMatchObject({ status: 401, error: 'UNAUTHORIZED' });
  });

  it('accepts the right key as a Bearer token or as x-api-key, and /health without one', async () => {
    const { url, keys, logger } = await setup({ keys: [{ name: 'laptop' }] });
    const key = keys['laptop']!;
    expect((await send(url, '/health', { method: 'GET' })).status).toBe(200);
    expect((await send(url, '/v1/models', { method: 'GET', headers: bearer(key) })).status).toBe(
      200,
    );
    const viaApiKey = await send(url, '/v1/chat/completions', {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: chat('local'),
    });
    expect(viaApiKey.status).toBe(200);
    expect(logger.requests.at(-1)).toMatchObject({ status: 200, client: 'laptop' });
    expect(JSON.stringify(logger.lines)).not.toContain(key);
  });

  it('gives a key limited to some models 403 for any other model, before anything is sent upstream', async () => {
    const { url, keys, upstream } = await setup({ keys: [{ name: 'ci', models: ['local'] }] });
    const key = keys['ci']!;
    expect(
      (
        await send(url, '/v1/chat/completions', {
          method: 'POST',
          headers: bearer(key),
          body: chat('local'),
        })
      ).status,
    ).toBe(200);
    // An alias of an allowed model is the same model.
    expect(
      (
        await send(url, '/v1/chat/completions', {
          method: 'POST',
          headers: bearer(key),
          body: chat('local-alias'),
        })
      ).status,
    ).toBe(200);
    const sent = upstream.exchanges.length;

    for (const model of ['cloud', 'not-configured']) {
      const res = await send(url, '/v1/chat/completions', {
        method: 'POST',
        headers: bearer(key),
        body: chat(model),
      });
      expect(res.status).toBe(403);
      expect(res.json['error']).toMatchObject({
        type: 'permission_error',
        code: 'forbidden',
        param: 'model',
        message: `the client key 'ci' may not use model '${model}'; it may use: local`,
      });
    }
    expect(upstream.exchanges.length).toBe(sent);
  });

  it('never forwards the client key upstream: the upstream sees the gateway key, or none', async () => {
    const { url, keys, upstream } = await setup({ keys: [{ name: 'laptop' }] });
    const key = keys['laptop']!;
    const headers = { ...bearer(key), 'x-api-key': key, cookie: `session=${key}` };
    expect(
      (await send(url, '/v1/chat/completions', { method: 'POST', headers, body: chat('cloud') }))
        .status,
    ).toBe(200);
    expect(
      (await send(url, '/v1/chat/completions', { method: 'POST', headers, body: chat('local') }))
        .status,
    ).toBe(200);
    const [cloud, local] = upstream.exchanges.slice(-2);
    expect(cloud?.req.headers['authorization']).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(local?.req.headers['authorization']).toBeUndefined();
    for (const exchange of [cloud, local]) {
      expect(exchange?.req.headers['x-api-key']).toBeUndefined();
      expect(exchange?.req.headers['cookie']).toBeUndefined();
      expect(JSON.stringify(exchange?.req.headers)).not.toContain(key);
      expect(exchange?.body).not.toContain(key);
    }
  });

  it('refuses to listen on a non-loopback address without client keys, and allows it with one', async () => {
    await expect(setup({ proxy: { host: '0.0.0.0' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /refusing to listen on 0\.0\.0\.0:0 without client keys.*mlx-gateway keys create-client NAME/,
      ),
    });
    const { proxy, keys } = await setup({ proxy: { host: '0.0.0.0' }, keys: [{ name: 'lan' }] });
    const res = await send(`http://127.0.0.1:${proxy.port}`, '/v1/models', {
      method: 'GET',
      headers: bearer(keys['lan']!),
    });
    expect(res.status).toBe(200);
  });
});
