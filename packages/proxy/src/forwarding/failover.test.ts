import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { FakeUpstream, chunkEvent, jsonCompletion, startSse } from '../testing/fake-upstream.js';
import type { UpstreamExchange } from '../testing/fake-upstream.js';
import { SseReader, open, send } from '../testing/proxy-client.js';
import { localModel, remoteModel } from '../testing/test-config.js';
import { startTestProxy } from '../testing/test-proxy.js';
import type { TestProxy } from '../testing/test-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(handler?: (ex: UpstreamExchange) => void): Promise<FakeUpstream> {
  const server = await FakeUpstream.start(handler);
  cleanups.push(() => server.close());
  return server;
}

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function answerWith(status: number, body: unknown): (ex: UpstreamExchange) => void {
  return (ex) => {
    const text = JSON.stringify(body);
    ex.res.writeHead(status, { 'content-type': 'application/json' });
    ex.res.end(text);
  };
}

async function proxyWith(
  primaryBaseUrl: string,
  backup: FakeUpstream,
  supervisor?: FakeSupervisor,
): Promise<TestProxy> {
  const t = await startTestProxy({
    models: [
      remoteModel('primary', primaryBaseUrl, { fallbacks: ['backup'] }),
      remoteModel('backup', `${backup.origin}/v1`, { upstreamModel: 'backup-model' }),
    ],
    ...(supervisor ? { supervisor } : {}),
  });
  cleanups.push(() => t.close());
  return t;
}

const chat = { model: 'primary', messages: [{ role: 'user', content: 'hi' }] };

describe('failover before the first byte', () => {
  it('moves on to the fallback when the connection is refused', async () => {
    const backup = await upstream((ex) => jsonCompletion(ex, 'from backup'));
    const t = await proxyWith(`http://127.0.0.1:${await closedPort()}/v1`, backup);
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(200);
    expect(res.text).toContain('from backup');
    expect(backup.exchanges[0]?.json['model']).toBe('backup-model');
    const line = await t.logger.waitForRequests(1);
    expect(line).toMatchObject({ model: 'primary', target: 'backup', attempts: 2, complete: true });
  });

  it.each([
    [500, { error: { message: 'internal failure' } }],
    [503, { error: { message: 'overloaded' } }],
    [429, { error: { message: 'slow down' } }],
  ])('moves on to the fallback when the primary answers %i', async (status, body) => {
    const primary = await upstream(answerWith(status, body));
    const backup = await upstream((ex) => jsonCompletion(ex, 'from backup'));
    const t = await proxyWith(`${primary.origin}/v1`, backup);
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(200);
    expect(res.text).toContain('from backup');
    expect(primary.exchanges).toHaveLength(1);
  });

  it('moves on to the fallback when a local model fails to start', async () => {
    const backup = await upstream((ex) => jsonCompletion(ex, 'from backup'));
    const supervisor = new FakeSupervisor();
    supervisor.setStopped('local');
    supervisor.onEnsure(() =>
      Promise.reject(
        new GatewayError(ErrorCodes.MODEL_START_FAILED, "model 'local' exited with code 1"),
      ),
    );
    const t = await startTestProxy({
      models: [
        localModel('local', { fallbacks: ['backup'] }),
        remoteModel('backup', `${backup.origin}/v1`),
      ],
      supervisor,
    });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/chat/completions', { body: { ...chat, model: 'local' } });
    expect(res.status).toBe(200);
    expect(res.text).toContain('from backup');
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(supervisor.heldLeases).toEqual([]);
  });

  it('moves on to the fallback of a stream whose primary fails before any content', async () => {
    const primary = await upstream(answerWith(502, { error: { message: 'bad gateway' } }));
    const backup = await upstream((ex) => {
      startSse(ex);
      ex.res.end(`${chunkEvent('streamed by backup')}data: [DONE]\n\n`);
    });
    const t = await proxyWith(`${primary.origin}/v1`, backup);
    const { response } = open(t.url, '/v1/chat/completions', { body: { ...chat, stream: true } });
    const reader = new SseReader(await response);
    await reader.waitForEnd();
    expect(reader.events).toEqual([expect.stringContaining('streamed by backup'), '[DONE]']);
  });

  it('does not fail over on a client error, and relays it with the upstream status', async () => {
    const primary = await upstream(
      answerWith(400, { error: { message: 'maximum context length is 8192 tokens' } }),
    );
    const backup = await upstream((ex) => jsonCompletion(ex));
    const t = await proxyWith(`${primary.origin}/v1`, backup);
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: {
        message:
          "model 'primary' rejected the request (HTTP 400): maximum context length is 8192 tokens",
        type: 'invalid_request_error',
        param: null,
        code: 'upstream_error',
      },
    });
    expect(backup.exchanges).toHaveLength(0);
  });

  it('answers with the last error when every target failed', async () => {
    const primary = await upstream(answerWith(500, { error: { message: 'down' } }));
    const backup = await upstream(answerWith(429, { error: { message: 'quota' } }));
    const t = await proxyWith(`${primary.origin}/v1`, backup);
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({
      error: {
        code: 'upstream_rate_limited',
        type: 'rate_limit_error',
        message: expect.stringContaining("model 'backup'"),
      },
    });
  });
});

describe('no failover after content reached the client', () => {
  it('ends the stream with an error event instead of switching targets mid-answer', async () => {
    const primary = await upstream();
    const backup = await upstream((ex) => jsonCompletion(ex));
    const t = await proxyWith(`${primary.origin}/v1`, backup);
    const { response } = open(t.url, '/v1/chat/completions', { body: { ...chat, stream: true } });
    const ex = await primary.nextExchange();
    startSse(ex);
    ex.res.write(chunkEvent('half an answer'));
    const reader = new SseReader(await response);
    await reader.waitForItems(1);
    ex.res.socket?.destroy();
    await reader.waitForEnd();
    expect(reader.events[0]).toContain('half an answer');
    expect(JSON.parse(reader.events[1] ?? '{}')).toMatchObject({
      error: { code: 'stream_interrupted' },
    });
    expect(reader.events[2]).toBe('[DONE]');
    expect(backup.exchanges).toHaveLength(0);
  });
});

describe('relayed upstream errors', () => {
  it('keep credentials and internal addresses out of the message', async () => {
    const primary = await upstream(
      answerWith(401, {
        error: {
          message:
            'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123. Called http://10.1.2.3:8443/v1/chat from gateway at 192.168.0.7:51234',
        },
      }),
    );
    const backup = await upstream((ex) => jsonCompletion(ex));
    const t = await startTestProxy({
      models: [remoteModel('primary', `${primary.origin}/v1`)],
    });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/chat/completions', { body: chat });
    expect(res.status).toBe(502);
    const message = (res.json['error'] as { message: string }).message;
    expect(res.json).toMatchObject({ error: { code: 'upstream_auth', type: 'server_error' } });
    expect(message).not.toMatch(/sk-proj-abc/);
    expect(message).not.toMatch(/10\.1\.2\.3|192\.168\.0\.7|8443|51234|http:/);
    expect(message).not.toContain(String(primary.port));
    expect(message).toContain("model 'primary'");
    expect(backup.exchanges).toHaveLength(0);
  });

  it('names the model, not the address, when an upstream is unreachable', async () => {
    const port = await closedPort();
    const t = await startTestProxy({
      models: [remoteModel('lonely', `http://127.0.0.1:${port}/v1`)],
    });
    cleanups.push(() => t.close());
    const res = await send(t.url, '/v1/chat/completions', { body: { ...chat, model: 'lonely' } });
    expect(res.status).toBe(502);
    expect(res.json).toEqual({
      error: {
        message: "model 'lonely' is unreachable (connection refused)",
        type: 'server_error',
        param: null,
        code: 'upstream_unreachable',
      },
    });
  });
});
