import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, ProtocolError } from '@mlx-gateway/protocol';
import type { Command, ModelInfo } from '@mlx-gateway/protocol';
import { SupervisorAdapter } from './supervisor-adapter.js';
import type { ControlClient } from './supervisor-adapter.js';

class FakeControlClient extends EventEmitter implements ControlClient {
  connected = false;
  closed = false;
  readonly sent: Command[] = [];
  answer: (body: Command) => Promise<unknown> = () => Promise.resolve({});

  request(body: Command): Promise<never> {
    this.sent.push(body);
    return this.answer(body) as Promise<never>;
  }

  close(): void {
    this.closed = true;
  }
}

const readyInfo: ModelInfo = {
  name: 'qwen',
  state: 'ready',
  since: 0,
  leases: 0,
  baseUrl: 'http://127.0.0.1:10300',
};

function adapter(client: FakeControlClient): SupervisorAdapter {
  const directory = {
    get: (name: string) => (name === 'qwen' ? readyInfo : undefined),
    close: vi.fn(),
  };
  return new SupervisorAdapter({ client, directory, controlTimeoutMs: 2_000 });
}

describe('SupervisorAdapter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers model info from the directory without a round trip', () => {
    const client = new FakeControlClient();
    expect(adapter(client).modelInfo('qwen')).toBe(readyInfo);
    expect(client.sent).toEqual([]);
  });

  it('fails ensure with SUPERVISOR_UNAVAILABLE after the control timeout when not connected', async () => {
    const client = new FakeControlClient();
    const pending = adapter(client).ensure('qwen', undefined, { timeoutMs: 600_000 });
    const outcome = expect(pending).rejects.toMatchObject({
      code: ErrorCodes.SUPERVISOR_UNAVAILABLE,
      status: 503,
      message: expect.stringContaining('mlx-gateway up'),
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(client.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
  });

  it('fails ensure at once when the supervisor is known to be gone, without a control timeout', async () => {
    const client = new FakeControlClient();
    const gone = new SupervisorAdapter({
      client,
      directory: { get: () => undefined, close: vi.fn() },
      controlTimeoutMs: 5_000,
      liveness: () => Promise.resolve('gone'),
    });
    // No timer is advanced: the answer must not depend on the control timeout.
    await expect(gone.ensure('qwen', undefined, { timeoutMs: 600_000 })).rejects.toMatchObject({
      code: ErrorCodes.SUPERVISOR_UNAVAILABLE,
      status: 503,
      message: expect.stringContaining('is not running'),
    });
    expect(client.sent).toEqual([]);
  });

  it('after one wait runs out, fails the next requests at once until a connection comes', async () => {
    const client = new FakeControlClient();
    let probes = 0;
    const linked = new SupervisorAdapter({
      client,
      directory: { get: () => undefined, close: vi.fn() },
      controlTimeoutMs: 2_000,
      liveness: () => {
        probes += 1;
        return Promise.resolve('maybe');
      },
    });
    const first = expect(
      linked.ensure('qwen', undefined, { timeoutMs: 600_000 }),
    ).rejects.toMatchObject({ code: ErrorCodes.SUPERVISOR_UNAVAILABLE });
    await vi.advanceTimersByTimeAsync(2_000);
    await first;
    await expect(linked.ensure('qwen', undefined, { timeoutMs: 600_000 })).rejects.toMatchObject({
      code: ErrorCodes.SUPERVISOR_UNAVAILABLE,
    });
    expect(probes).toBe(1);
    // The supervisor comes back: the path is the usual one again.
    client.answer = () => Promise.resolve({ ...readyInfo, baseUrl: 'http://127.0.0.1:10302' });
    client.connected = true;
    client.emit('connect');
    await expect(linked.ensure('qwen', undefined, { timeoutMs: 1_000 })).resolves.toEqual({
      baseUrl: 'http://127.0.0.1:10302',
    });
  });

  it('never probes liveness while connected', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () => Promise.resolve(readyInfo);
    const liveness = vi.fn(() => Promise.resolve('gone' as const));
    const linked = new SupervisorAdapter({
      client,
      directory: { get: () => undefined, close: vi.fn() },
      controlTimeoutMs: 2_000,
      liveness,
    });
    await expect(linked.ensure('qwen', undefined, { timeoutMs: 1_000 })).resolves.toEqual({
      baseUrl: readyInfo.baseUrl,
    });
    expect(liveness).not.toHaveBeenCalled();
  });

  it('sends ensure with its lease once the connection comes up, with the model-start deadline', async () => {
    const client = new FakeControlClient();
    client.answer = () => Promise.resolve({ ...readyInfo, baseUrl: 'http://127.0.0.1:10301' });
    const pending = adapter(client).ensure(
      'qwen',
      { id: 'l1', holder: 'p1' },
      { timeoutMs: 600_000 },
    );
    await vi.advanceTimersByTimeAsync(500);
    client.connected = true;
    client.emit('connect');
    await expect(pending).resolves.toEqual({ baseUrl: 'http://127.0.0.1:10301' });
    expect(client.sent).toEqual([
      { cmd: 'ensure', model: 'qwen', lease: { id: 'l1', holder: 'p1' } },
    ]);
  });

  it('passes the supervisor’s own error codes on, and hides its endpoint', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () =>
      Promise.reject(
        new ProtocolError(ErrorCodes.MODEL_START_FAILED, "model 'qwen' exited with code 1"),
      );
    await expect(
      adapter(client).ensure('qwen', undefined, { timeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: ErrorCodes.MODEL_START_FAILED,
      message: "model 'qwen' exited with code 1",
    });
    client.answer = () =>
      Promise.reject(
        new ProtocolError(
          ErrorCodes.SUPERVISOR_UNAVAILABLE,
          'could not reach the supervisor at ipc:///secret/run/control.sock',
        ),
      );
    const err = await adapter(client)
      .ensure('qwen', undefined, { timeoutMs: 1_000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.SUPERVISOR_UNAVAILABLE });
    expect((err as Error).message).not.toContain('ipc://');
  });

  it('says when a model in backoff is tried again and how to retry at once', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () =>
      Promise.reject(
        new ProtocolError(ErrorCodes.MODEL_BACKOFF, 'could not start the model server: boom', {
          model: 'qwen',
          retryAt: 61_500,
        }),
      );
    const backoff = new SupervisorAdapter({
      client,
      directory: { get: () => undefined, close: vi.fn() },
      controlTimeoutMs: 2_000,
      now: () => 50_000,
    });
    await expect(backoff.ensure('qwen', undefined, { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: ErrorCodes.MODEL_BACKOFF,
      status: 503,
      message:
        "model 'qwen' failed to start and is in backoff: could not start the model server: boom; " +
        'it is tried again in 12s, or at once after `mlx-gateway clear qwen`',
      details: { retryAfterSeconds: 12 },
    });
  });

  it('reports a model the supervisor does not know as a config mismatch, and tells the log', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () =>
      Promise.reject(
        new ProtocolError(ErrorCodes.MODEL_NOT_FOUND, "model 'new' is not configured"),
      );
    const told: string[] = [];
    const linked = new SupervisorAdapter({
      client,
      directory: { get: () => undefined, close: vi.fn() },
      controlTimeoutMs: 2_000,
      onConfigMismatch: (model) => told.push(model),
    });
    await expect(linked.ensure('new', undefined, { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: ErrorCodes.CONFIG_INVALID,
      status: 503,
      message: expect.stringContaining(
        "model 'new' is in the proxy's config but the supervisor answered: model 'new' is not configured. The proxy and the supervisor run different versions of the config",
      ),
    });
    expect(told).toEqual(['new']);
  });

  it('treats releasing an unknown lease as done', async () => {
    const client = new FakeControlClient();
    client.connected = true;
    client.answer = () =>
      Promise.reject(new ProtocolError(ErrorCodes.LEASE_NOT_FOUND, 'no lease l1'));
    await expect(adapter(client).releaseLease('l1')).resolves.toBeUndefined();
  });

  it('reports the supervisor unreachable without waiting while it is disconnected', async () => {
    const client = new FakeControlClient();
    await expect(adapter(client).reachable()).resolves.toBe(false);
    expect(client.sent).toEqual([]);
    client.connected = true;
    client.answer = () => Promise.resolve({ incarnation: 'i', pid: 1, version: 1 });
    await expect(adapter(client).reachable()).resolves.toBe(true);
  });
});
