import { describe, expect, it } from 'vitest';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { silentLogger } from '../logging/logger.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaseManager } from './lease-manager.js';
import { TurnClient } from './turn-client.js';

/** A supervisor whose turn answers the test gives, one by one. */
class TurnSupervisor extends FakeSupervisor {
  readonly asked: Array<{ model: string; id: string; timeoutMs: number }> = [];
  readonly turnReleases: string[] = [];
  readonly answers = new Map<string, { grant(ms: number): void; refuse(err: Error): void }>();

  acquireTurn(
    model: string,
    turn: { id: string },
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<number> {
    this.asked.push({ model, id: turn.id, timeoutMs: options.timeoutMs });
    return new Promise((grant, refuse) => {
      this.answers.set(turn.id, { grant, refuse });
      options.signal?.addEventListener('abort', () => refuse(options.signal!.reason as Error));
    });
  }

  releaseTurn(id: string): Promise<void> {
    this.turnReleases.push(id);
    return Promise.resolve();
  }
}

function client() {
  const supervisor = new TurnSupervisor();
  const clock = new ManualClock();
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: 20_000,
    logger: silentLogger,
    clock,
    holder: 'proxy:test',
  });
  const turns = new TurnClient({
    supervisor,
    leases,
    clock,
    controlTimeoutMs: 5_000,
    logger: silentLogger,
  });
  return { supervisor, clock, turns };
}

const solo = { name: 'solo', maxConcurrent: 1, queue: { size: 10, timeoutMs: 60_000 } };
const never = new AbortController().signal;

describe('TurnClient', () => {
  it('asks the supervisor for a turn with the queue timeout, and gives it back once', async () => {
    const { supervisor, clock, turns } = client();
    expect(turns.acquire({ name: 'free' }, never)).toBeUndefined();
    const pending = turns.acquire(solo, never)!;
    expect(supervisor.asked).toEqual([
      { model: 'solo', id: 'proxy:test:turn:1', timeoutMs: 65_000 },
    ]);
    clock.advance(300);
    expect(turns.stats('solo')).toMatchObject({ active: 0, waiting: 1, oldestWaitMs: 300 });
    supervisor.answers.get('proxy:test:turn:1')!.grant(300);
    const release = await pending;
    expect(turns.stats('solo')).toMatchObject({ active: 1, waiting: 0, waited: 1, waitedMs: 300 });
    // Held turns keep renewals going even without a lease, and are re-declared with them
    // (in case the supervisor restarted); a release goes once that is answered.
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test']);
    expect(supervisor.asked.map((a) => a.id)).toEqual(['proxy:test:turn:1', 'proxy:test:turn:1']);
    release();
    release();
    expect(supervisor.turnReleases).toEqual([]);
    supervisor.answers.get('proxy:test:turn:1')!.grant(0);
    await new Promise((resolve) => setImmediate(resolve)); // the release follows that answer
    expect(supervisor.turnReleases).toEqual(['proxy:test:turn:1']);
    expect(turns.stats('solo')).toMatchObject({ active: 0, waiting: 0 });
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test']);
  });

  it('a refusal is counted and passed on; a request that leaves the line gives its place back', async () => {
    const { supervisor, turns } = client();
    const refused = turns.acquire(solo, never)!;
    supervisor.answers
      .get('proxy:test:turn:1')!
      .refuse(new GatewayError('RATE_LIMITED', 'the queue of model "solo" is full'));
    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(supervisor.turnReleases).toEqual([]);
    const abort = new AbortController();
    const left = turns.acquire(solo, abort.signal)!;
    abort.abort(new Error('client gone'));
    await expect(left).rejects.toThrow('client gone');
    expect(supervisor.turnReleases).toEqual(['proxy:test:turn:2']);
    expect(turns.stats('solo')).toMatchObject({ waiting: 0, active: 0, refused: 1 });
  });
});
