import * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlServer } from './control-server.js';
import type { CommandHandler } from './control-server.js';
import { ProtocolError } from './error-codes.js';
import type { Command, ReplyEnvelope } from './messages.js';
import { PROTOCOL_VERSION } from './messages.js';
import { deferred, SocketFixture, withDeadline } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

/** A bare DEALER, to send what a well-behaved client never would. */
function rawPeer(endpoint: string): zmq.Dealer {
  const dealer = fixture.track(new zmq.Dealer({ linger: 0, receiveTimeout: 3000 }));
  dealer.connect(endpoint);
  return dealer;
}

async function exchange(peer: zmq.Dealer, ...frames: string[]): Promise<ReplyEnvelope> {
  await peer.send(frames);
  const [reply] = await peer.receive();
  return JSON.parse(String(reply)) as ReplyEnvelope;
}

const request = (id: string, body: unknown, v = PROTOCOL_VERSION): string =>
  JSON.stringify({ v, id, body });

async function startServer(
  handler: CommandHandler,
  warnings: string[] = [],
): Promise<ControlServer> {
  const server = fixture.track(
    new ControlServer({
      endpoint: fixture.endpoint('control'),
      handler,
      onWarning: (message) => warnings.push(message),
    }),
  );
  await server.start();
  return server;
}

describe('ControlServer', () => {
  it('answers each malformed request with the right error and keeps serving', async () => {
    const handled: Command[] = [];
    const warnings: string[] = [];
    const server = await startServer(async (command) => {
      handled.push(command);
      return { pong: true };
    }, warnings);
    const peer = rawPeer(server.endpoint);

    const notJson = await exchange(peer, '{"v":1,');
    expect(notJson).toMatchObject({ ok: false, id: '', error: { code: 'BAD_MESSAGE' } });

    const twoFrames = await exchange(peer, request('a', { cmd: 'ping' }), 'extra');
    expect(twoFrames).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });

    const future = await exchange(peer, request('b', { cmd: 'ping' }, 2));
    expect(future).toMatchObject({
      ok: false,
      id: 'b',
      error: { code: 'UNSUPPORTED_VERSION', details: { supported: PROTOCOL_VERSION } },
    });

    const unknown = await exchange(peer, request('c', { cmd: 'format-disk' }));
    expect(unknown).toMatchObject({ ok: false, id: 'c', error: { code: 'BAD_MESSAGE' } });

    const badField = await exchange(peer, request('d', { cmd: 'ensure', model: '' }));
    expect(badField).toMatchObject({
      ok: false,
      id: 'd',
      error: { code: 'BAD_MESSAGE', details: { issues: [{ path: 'body.model' }] } },
    });

    const fine = await exchange(peer, request('e', { cmd: 'ping' }));
    expect(fine).toEqual({ v: PROTOCOL_VERSION, id: 'e', ok: true, result: { pong: true } });
    expect(handled).toEqual([{ cmd: 'ping' }]);
    expect(warnings).toHaveLength(5);
  });

  it('runs handlers concurrently: a slow ensure does not hold up a status', async () => {
    const gate = deferred();
    const server = await startServer(async (command) => {
      if (command.cmd === 'ensure') await gate.promise;
      return { cmd: command.cmd };
    });
    const peer = rawPeer(server.endpoint);
    await peer.send(request('slow', { cmd: 'ensure', model: 'big' }));
    await peer.send(request('fast', { cmd: 'status' }));
    const [first] = await peer.receive();
    expect(JSON.parse(String(first))).toMatchObject({ id: 'fast', ok: true });
    expect(server.pendingRequests).toBe(1);
    gate.resolve();
    const [second] = await peer.receive();
    expect(JSON.parse(String(second))).toMatchObject({
      id: 'slow',
      ok: true,
      result: { cmd: 'ensure' },
    });
  });

  it('routes each reply to the peer that asked', async () => {
    const server = await startServer(async (command) =>
      command.cmd === 'logs' ? { model: command.model, lines: [] } : null,
    );
    const alice = rawPeer(server.endpoint);
    const bob = rawPeer(server.endpoint);
    await alice.send(request('same-id', { cmd: 'logs', model: 'alice' }));
    await bob.send(request('same-id', { cmd: 'logs', model: 'bob' }));
    const [toAlice] = await alice.receive();
    const [toBob] = await bob.receive();
    expect(JSON.parse(String(toAlice))).toMatchObject({ result: { model: 'alice' } });
    expect(JSON.parse(String(toBob))).toMatchObject({ result: { model: 'bob' } });
  });

  it('sends a coded error as is and anything else as INTERNAL without details', async () => {
    const warnings: string[] = [];
    const server = await startServer(async (command) => {
      if (command.cmd === 'stop') {
        throw new ProtocolError('MODEL_NOT_FOUND', `model '${command.model}' is not configured`, {
          model: command.model,
        });
      }
      if (command.cmd === 'start') throw new Error('token sk-live-123 leaked at handler.ts:9');
      if (command.cmd === 'status') return { big: 10n };
      return undefined;
    }, warnings);
    const peer = rawPeer(server.endpoint);

    expect(await exchange(peer, request('1', { cmd: 'stop', model: 'qwen' }))).toEqual({
      v: PROTOCOL_VERSION,
      id: '1',
      ok: false,
      error: {
        code: 'MODEL_NOT_FOUND',
        message: "model 'qwen' is not configured",
        details: { model: 'qwen' },
      },
    });

    const crashed = await exchange(peer, request('2', { cmd: 'start', model: 'qwen' }));
    expect(crashed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(crashed)).not.toMatch(/sk-live|handler\.ts|stack/);
    expect(warnings).toContain('control handler failed');

    const unserialisable = await exchange(peer, request('3', { cmd: 'status' }));
    expect(unserialisable).toMatchObject({ id: '3', ok: false, error: { code: 'INTERNAL' } });

    expect(await exchange(peer, request('4', { cmd: 'ping' }))).toMatchObject({
      ok: true,
      result: null,
    });
  });

  it('refuses an endpoint a live server holds and replaces a stale socket file', async () => {
    const first = await startServer(async () => null);
    const second = new ControlServer({ endpoint: first.endpoint, handler: async () => null });
    await expect(second.start()).rejects.toMatchObject({ code: 'ENDPOINT_IN_USE' });

    // A crashed server leaves its socket file behind (unbind stops listening, keeps the file);
    // a restarted one binds over it.
    const stale = fixture.endpoint('stale');
    const crashed = new zmq.Router({ linger: 0 });
    await crashed.bind(stale);
    await crashed.unbind(stale);
    crashed.close();
    const restarted = fixture.track(
      new ControlServer({ endpoint: stale, handler: async () => 'up' }),
    );
    await withDeadline(restarted.start(), 3000, 'bind over a stale socket file');
    expect(await exchange(rawPeer(stale), request('x', { cmd: 'ping' }))).toMatchObject({
      result: 'up',
    });
  });
});
