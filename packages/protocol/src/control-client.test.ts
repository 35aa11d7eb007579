import { performance } from 'node:perf_hooks';
import * as zmq from 'zeromq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorClient } from './control-client.js';
import type { SupervisorClientOptions } from './control-client.js';
import { ControlServer } from './control-server.js';
import type { CommandHandler } from './control-server.js';
import { ProtocolError } from './error-codes.js';
import { PROTOCOL_VERSION } from './messages.js';
import type { Command, CommandResults } from './messages.js';
import { deferred, nextEvent, SocketFixture, withDeadline } from './testing/fixtures.js';

const fixture = new SocketFixture();
beforeEach(() => fixture.setUp());
afterEach(() => fixture.tearDown());

async function startServer(handler: CommandHandler, endpoint = fixture.endpoint('control')) {
  const server = fixture.track(new ControlServer({ endpoint, handler }));
  await server.start();
  return server;
}

function client(options: Partial<SupervisorClientOptions> = {}): SupervisorClient {
  return fixture.track(
    new SupervisorClient({ endpoint: fixture.endpoint('control'), timeoutMs: 3000, ...options }),
  );
}

const ping: CommandResults['ping'] = { incarnation: 'i1', pid: 42, version: PROTOCOL_VERSION };

describe('SupervisorClient', () => {
  it('sends a command and resolves with its result', async () => {
    const seen: Command[] = [];
    await startServer(async (command) => {
      seen.push(command);
      return ping;
    });
    await expect(client().request({ cmd: 'ping' })).resolves.toEqual(ping);
    expect(seen).toEqual([{ cmd: 'ping' }]);
  });

  it('matches 50 concurrent replies, sent in reverse order, to their requests by id', async () => {
    const held: Array<{ model: string; reply: () => void }> = [];
    const replyOrder: string[] = [];
    await startServer((command) => {
      const done = deferred<CommandResults['logs']>();
      const model = command.cmd === 'logs' ? command.model : '?';
      held.push({
        model,
        reply: () => {
          replyOrder.push(model);
          done.resolve({ model, lines: [`line of ${model}`] });
        },
      });
      if (held.length === 50) for (const request of [...held].reverse()) request.reply();
      return done.promise;
    });
    const supervisor = client();
    const models = Array.from({ length: 50 }, (_, i) => `m${i}`);
    const results = await Promise.all(
      models.map((model) => supervisor.request({ cmd: 'logs', model })),
    );
    expect(results.map((result) => result.model)).toEqual(models);
    expect(results.map((result) => result.lines[0])).toEqual(models.map((m) => `line of ${m}`));
    expect(replyOrder[0]).toBe(held.at(-1)?.model);
    expect(supervisor.pendingRequests).toBe(0);
  });

  it('lets a fast request return while a slow one is in flight', async () => {
    const gate = deferred();
    await startServer(async (command) => {
      if (command.cmd === 'ensure') {
        await gate.promise;
        return {
          name: command.model,
          state: 'ready',
          baseUrl: 'http://127.0.0.1:9',
          since: 1,
          leases: 0,
        };
      }
      return ping;
    });
    const supervisor = client();
    const slow = supervisor.request({ cmd: 'ensure', model: 'big' });
    await expect(supervisor.request({ cmd: 'ping' })).resolves.toEqual(ping);
    gate.resolve();
    await expect(slow).resolves.toMatchObject({ name: 'big', state: 'ready' });
  });

  it('rejects with the error code, message and details the supervisor sent', async () => {
    await startServer(async () => {
      throw new ProtocolError('MODEL_START_FAILED', 'exited with code 1', { tail: ['oops'] });
    });
    const failure = await client()
      .request({ cmd: 'start', model: 'm' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProtocolError);
    expect(failure).toMatchObject({
      code: 'MODEL_START_FAILED',
      message: 'exited with code 1',
      details: { tail: ['oops'] },
    });
  });

  it('fails within its deadline when no supervisor is listening', async () => {
    const supervisor = client({ timeoutMs: 200 });
    const started = performance.now();
    const failure = await supervisor.request({ cmd: 'ping' }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(failure).toMatchObject({ code: 'SUPERVISOR_UNAVAILABLE' });
    expect(elapsed).toBeLessThan(1000);
    expect(supervisor.pendingRequests).toBe(0);
  });

  it('times out a request the supervisor does not answer and drops the late reply', async () => {
    const late = deferred();
    const handled = deferred();
    await startServer(async (command) => {
      if (command.cmd === 'ensure') {
        handled.resolve();
        await late.promise;
        return { late: true };
      }
      return ping;
    });
    const supervisor = client();
    const failure = await supervisor
      .request({ cmd: 'ensure', model: 'm' }, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'SUPERVISOR_TIMEOUT' });
    await handled.promise;
    late.resolve();
    // The late reply arrives before this one and matches nothing.
    await expect(supervisor.request({ cmd: 'ping' })).resolves.toEqual(ping);
  });

  it('talks to a restarted supervisor on the same endpoint', async () => {
    const first = await startServer(async () => ping);
    const supervisor = client();
    await expect(supervisor.request({ cmd: 'ping' })).resolves.toEqual(ping);
    const lost = nextEvent(supervisor, 'disconnect');
    await first.close();
    await lost;
    const restarted = { ...ping, incarnation: 'i2' };
    await startServer(async () => restarted);
    await expect(supervisor.request({ cmd: 'ping' })).resolves.toEqual(restarted);
  });

  it('fails a request at once when the supervisor goes away before answering', async () => {
    const handled = deferred();
    const server = await startServer(async () => {
      handled.resolve();
      return new Promise<never>(() => {});
    });
    const supervisor = client({ timeoutMs: 60_000 });
    const pending = supervisor.request({ cmd: 'ensure', model: 'm' }).catch((e: unknown) => e);
    await handled.promise;
    await server.close();
    const failure = await withDeadline(pending, 3000, 'the request to fail after the disconnect');
    expect(failure).toMatchObject({ code: 'SUPERVISOR_UNAVAILABLE' });
  });

  it('rejects an aborted request with the signal reason', async () => {
    await startServer(() => new Promise<never>(() => {}));
    const controller = new AbortController();
    const pending = client().request({ cmd: 'status' }, { signal: controller.signal });
    controller.abort(new Error('caller went away'));
    await expect(pending).rejects.toThrow('caller went away');
  });

  it('close() rejects every pending request with SHUTTING_DOWN, and later ones too', async () => {
    await startServer(() => new Promise<never>(() => {}));
    const supervisor = client();
    const pending = [
      supervisor.request({ cmd: 'status' }),
      supervisor.request({ cmd: 'ensure', model: 'a' }),
    ];
    supervisor.close();
    for (const request of pending)
      await expect(request).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(supervisor.request({ cmd: 'ping' })).rejects.toMatchObject({
      code: 'SHUTTING_DOWN',
    });
  });

  it('ignores malformed replies, reporting them, and still matches the real one', async () => {
    const router = fixture.track(new zmq.Router({ linger: 0 }));
    await router.bind(fixture.endpoint('control'));
    const warnings: string[] = [];
    const supervisor = client({ onWarning: (message) => warnings.push(message) });
    const pending = supervisor.request({ cmd: 'ping' });
    const [identity, frame] = await router.receive();
    const { id } = JSON.parse(String(frame)) as { id: string };
    await router.send([identity!, 'not json']);
    await router.send([identity!, JSON.stringify({ v: 1, id, ok: 'yes' })]);
    await router.send([identity!, JSON.stringify({ v: 1, id, ok: true, result: ping })]);
    await expect(pending).resolves.toEqual(ping);
    expect(warnings).toEqual([
      'ignored a malformed control reply',
      'ignored a malformed control reply',
    ]);
  });
});
