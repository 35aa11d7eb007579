import { describe, expect, it } from 'vitest';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { silentLogger } from '../logging/logger.js';
import type { LeaseClaim, TurnOptions } from '../supervisor/model-supervisor.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaseManager } from './lease-manager.js';
import { TurnClient } from './turn-client.js';

interface TurnAsk {
  model: string;
  id: string;
  options: TurnOptions;
  grant(waitedMs: number): void;
  refuse(err: Error): void;
}

/** A supervisor whose control connection the test drops and brings back (a restart). */
class RestartingSupervisor extends FakeSupervisor {
  readonly asks: TurnAsk[] = [];
  readonly turnReleases: string[] = [];
  private readonly pending = new Set<TurnAsk>();
  private readonly listeners = new Set<(up: boolean) => void>();

  acquireTurn(model: string, turn: LeaseClaim, options: TurnOptions): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const ask: TurnAsk = {
        model,
        id: turn.id,
        options,
        grant: (ms) => {
          this.pending.delete(ask);
          resolve(ms);
        },
        refuse: (err) => {
          this.pending.delete(ask);
          reject(err);
        },
      };
      this.asks.push(ask);
      this.pending.add(ask);
      options.signal?.addEventListener('abort', () => ask.refuse(options.signal!.reason as Error));
    });
  }

  releaseTurn(id: string): Promise<void> {
    this.turnReleases.push(id);
    return Promise.resolve();
  }

  onConnection(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Like the control client: asks in flight fail, then the listeners hear of it. */
  drop(): void {
    for (const ask of [...this.pending]) {
      ask.refuse(new GatewayError('SUPERVISOR_UNAVAILABLE', 'the connection was lost'));
    }
    for (const listener of this.listeners) listener(false);
  }

  connect(): void {
    for (const listener of this.listeners) listener(true);
  }

  /** The asks made since `from`, as the test compares them. */
  asked(from = 0): Array<{ id: string; held?: boolean; waitedMs?: number }> {
    return this.asks.slice(from).map(({ id, options }) => ({
      id,
      ...(options.held === undefined ? {} : { held: options.held }),
      ...(options.waitedMs === undefined ? {} : { waitedMs: options.waitedMs }),
    }));
  }
}

function client() {
  const supervisor = new RestartingSupervisor();
  const clock = new ManualClock();
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: 10_000,
    logger: silentLogger,
    clock,
    holder: 'p',
  });
  const turns = new TurnClient({
    supervisor,
    leases,
    clock,
    controlTimeoutMs: 5_000,
    logger: silentLogger,
  });
  supervisor.connect();
  return { supervisor, clock, turns };
}

const solo = { name: 'solo', maxConcurrent: 1, queue: { size: 10, timeoutMs: 60_000 } };
const never = new AbortController().signal;

/** Lets promise callbacks run (the client chains a few). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('TurnClient, after the supervisor restarted', () => {
  it('re-declares the turns it holds when the connection comes back and at each renewal; each is given back once', async () => {
    const { supervisor, clock, turns } = client();
    const first = turns.acquire(solo, never)!;
    supervisor.asks[0]!.grant(0);
    const release = await first;

    supervisor.drop();
    supervisor.connect();
    await settle();
    expect(supervisor.asked(1)).toEqual([{ id: 'p:turn:1', held: true }]);
    expect(supervisor.asks[1]!.options.timeoutMs).toBe(5_000);
    supervisor.asks[1]!.grant(0);
    await settle();

    // The lease pattern: re-declared at each renewal too (a no-op for a supervisor that knows it).
    clock.advance(10_000);
    expect(supervisor.renewals).toEqual(['p']);
    expect(supervisor.asked(2)).toEqual([{ id: 'p:turn:1', held: true }]);

    // Ending while that re-declaration is unanswered: the release goes after its answer, so
    // that it cannot bring the turn back.
    release();
    release();
    await settle();
    expect(supervisor.turnReleases).toEqual([]);
    supervisor.asks[2]!.grant(0);
    await settle();
    expect(supervisor.turnReleases).toEqual(['p:turn:1']);
    expect(turns.stats('solo')).toMatchObject({ active: 0, waiting: 0 });

    // Nothing held any more: nothing re-declared.
    supervisor.drop();
    supervisor.connect();
    clock.advance(10_000);
    await settle();
    expect(supervisor.asks).toHaveLength(3);
  });

  it('a request whose wait in line was lost with the connection asks again, with its wait so far, after the held turns', async () => {
    const { supervisor, clock, turns } = client();
    const held = turns.acquire(solo, never)!;
    supervisor.asks[0]!.grant(0);
    const release = await held;
    const waiting = turns.acquire(solo, never)!;
    expect(supervisor.asked(1)).toEqual([{ id: 'p:turn:2' }]);

    clock.advance(2_000);
    supervisor.drop();
    await settle();
    expect(supervisor.asks).toHaveLength(2); // no ask while the supervisor is away
    expect(turns.stats('solo')).toMatchObject({ active: 1, waiting: 1 });
    clock.advance(1_000);
    supervisor.connect();
    await settle();
    expect(supervisor.asked(2)).toEqual([{ id: 'p:turn:1', held: true }]);
    supervisor.asks[2]!.grant(0);
    await settle();
    expect(supervisor.asked(3)).toEqual([{ id: 'p:turn:2', waitedMs: 3_000 }]);
    // The new supervisor's deadline is what is left of the request's own.
    expect(supervisor.asks[3]!.options.timeoutMs).toBe(65_000 - 3_000);

    release();
    supervisor.asks[3]!.grant(3_500);
    const second = await waiting;
    expect(turns.stats('solo')).toMatchObject({ active: 1, waiting: 0, waited: 1 });
    second();
    expect(supervisor.turnReleases).toEqual(['p:turn:1', 'p:turn:2']);
  });

  it('a new request asked while the re-declarations are unanswered goes after them', async () => {
    const { supervisor, turns } = client();
    const held = turns.acquire(solo, never)!;
    supervisor.asks[0]!.grant(0);
    await held;
    supervisor.drop();
    supervisor.connect();
    const fresh = turns.acquire(solo, never)!;
    await settle();
    expect(supervisor.asked(1)).toEqual([{ id: 'p:turn:1', held: true }]);
    supervisor.asks[1]!.refuse(new GatewayError('MODEL_NOT_FOUND', 'no model "solo"'));
    await settle();
    expect(supervisor.asked(2)).toEqual([{ id: 'p:turn:2' }]);
    supervisor.asks[2]!.grant(0);
    await fresh;
  });

  it('gives up when the connection does not come back in time, and never asks again for a supervisor that was not reached', async () => {
    const { supervisor, clock, turns } = client();
    const held = turns.acquire(solo, never)!;
    supervisor.asks[0]!.grant(0);
    await held;
    const waiting = turns.acquire(solo, never)!;
    supervisor.drop();
    await settle();
    clock.advance(64_999);
    await settle();
    expect(turns.stats('solo')).toMatchObject({ waiting: 1 });
    clock.advance(1);
    await expect(waiting).rejects.toMatchObject({ code: 'SUPERVISOR_UNAVAILABLE' });
    expect(supervisor.turnReleases).toEqual(['p:turn:2']);
    expect(turns.stats('solo')).toMatchObject({ active: 1, waiting: 0 });

    // Unreachable from the start (no connection lost under the ask): the failure is final.
    supervisor.connect();
    await settle();
    supervisor.asks.at(-1)!.grant(0); // the held turn's re-declaration
    const unreached = turns.acquire(solo, never)!;
    await settle();
    supervisor.asks.at(-1)!.refuse(new GatewayError('SUPERVISOR_UNAVAILABLE', 'not running'));
    await expect(unreached).rejects.toMatchObject({ code: 'SUPERVISOR_UNAVAILABLE' });
    await settle();
    expect(supervisor.asked().filter((a) => a.id === 'p:turn:3')).toHaveLength(1);
  });

  it('a request that leaves while waiting for the connection gives its place back', async () => {
    const { supervisor, turns } = client();
    const held = turns.acquire(solo, never)!;
    supervisor.asks[0]!.grant(0);
    await held;
    const abort = new AbortController();
    const waiting = turns.acquire(solo, abort.signal)!;
    supervisor.drop();
    await settle();
    abort.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    expect(supervisor.turnReleases).toEqual(['p:turn:2']);
    supervisor.connect();
    await settle();
    expect(supervisor.asked(2)).toEqual([{ id: 'p:turn:1', held: true }]);
  });
});
