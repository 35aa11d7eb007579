import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, ProtocolError } from '@mlx-gateway/protocol';
import type { Command } from '@mlx-gateway/protocol';
import { SupervisorAdapter } from './supervisor-adapter.js';
import type { ControlClient } from './supervisor-adapter.js';

/** A control client whose answers the test scripts. */
class FakeControlClient extends EventEmitter implements ControlClient {
  connected = false;
  readonly sent: Array<{ body: Command; timeoutMs?: number }> = [];
  answer: (body: Command) => Promise<unknown> = () => Promise.resolve({});

  request(body: Command, options?: { timeoutMs?: number }): Promise<never> {
    this.sent.push({
      body,
      ...(options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    return this.answer(body) as Promise<never>;
  }

  close(): void {}
}

function adapter(client: FakeControlClient): SupervisorAdapter {
  const directory = { get: () => undefined, close: vi.fn() };
  return new SupervisorAdapter({ client, directory, controlTimeoutMs: 2_000 });
}

describe('SupervisorAdapter turns', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for a turn with the queue deadline and answers the time waited', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () => Promise.resolve({ id: 't1', waitedMs: 420 });
    const turns = adapter(client);
    await expect(
      turns.acquireTurn('solo', { id: 't1', holder: 'p1' }, { timeoutMs: 125_000 }),
    ).resolves.toBe(420);
    await turns.releaseTurn('t1');
    expect(client.sent).toEqual([
      { body: { cmd: 'turn.acquire', model: 'solo', id: 't1', holder: 'p1' }, timeoutMs: 125_000 },
      { body: { cmd: 'turn.release', id: 't1' }, timeoutMs: 2_000 },
    ]);
  });

  it('passes a refusal on with its Retry-After, and fails fast while the supervisor is away', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () =>
      Promise.reject(
        new ProtocolError(ErrorCodes.RATE_LIMITED, 'the queue of model "solo" is full', {
          retryAfterSeconds: 30,
        }),
      );
    const turns = adapter(client);
    await expect(
      turns.acquireTurn('solo', { id: 't1', holder: 'p1' }, { timeoutMs: 125_000 }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      details: { retryAfterSeconds: 30 },
    });
    client.connected = false;
    const away = turns.acquireTurn('solo', { id: 't2', holder: 'p1' }, { timeoutMs: 125_000 });
    const outcome = expect(away).rejects.toMatchObject({ code: ErrorCodes.SUPERVISOR_UNAVAILABLE });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    expect(client.sent).toHaveLength(1);
  });

  it('re-declares a held turn or a wait so far, and tells of the connection going and coming', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () => Promise.resolve({ id: 't1', waitedMs: 0 });
    const turns = adapter(client);
    const heard: boolean[] = [];
    const unsubscribe = turns.onConnection((up) => heard.push(up));
    await turns.acquireTurn('solo', { id: 't1', holder: 'p1' }, { timeoutMs: 2_000, held: true });
    await turns.acquireTurn(
      'solo',
      { id: 't2', holder: 'p1' },
      { timeoutMs: 9_000, waitedMs: 1.4 },
    );
    expect(client.sent.map((s) => s.body)).toEqual([
      { cmd: 'turn.acquire', model: 'solo', id: 't1', holder: 'p1', held: true },
      { cmd: 'turn.acquire', model: 'solo', id: 't2', holder: 'p1', waitedMs: 1 },
    ]);
    client.emit('disconnect');
    client.emit('connect');
    unsubscribe();
    client.emit('disconnect');
    expect(heard).toEqual([false, true]);
  });
});
