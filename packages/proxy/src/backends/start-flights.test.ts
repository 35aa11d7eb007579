import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@mlx-gateway/protocol';
import { GatewayError } from '@mlx-gateway/shared/errors';
import { LeaseManager } from '../leases/lease-manager.js';
import { silentLogger } from '../logging/logger.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { ManualClock } from '../testing/manual-clock.js';
import { StartFlights } from './start-flights.js';

const ORIGIN = 'http://127.0.0.1:9';

function flights() {
  const supervisor = new FakeSupervisor();
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: 20_000,
    logger: silentLogger,
    clock: new ManualClock(),
    holder: 'proxy:test',
  });
  const starts = new StartFlights(supervisor, leases);
  return { supervisor, leases, starts, cue: supervisor.ensureOnCue() };
}

/** Lets the answer's callbacks and the setImmediate they schedule run. */
async function afterCallbacks(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('StartFlights', () => {
  it('sends one ensure for every request waiting on the same model, and wakes them together', async () => {
    const { supervisor, starts, cue } = flights();
    const signal = new AbortController().signal;
    const waits = [1, 2, 3].map(() => starts.wait('qwen', 5_000, signal));
    const other = starts.wait('llama', 5_000, signal);
    expect(supervisor.ensureCalls.map((c) => c.model)).toEqual(['qwen', 'llama']);
    expect(starts.inFlight('qwen')).toBe(true);
    cue.ready(ORIGIN);
    const started = await Promise.all(waits);
    await other;
    expect(started.map((s) => s.baseUrl)).toEqual([ORIGIN, ORIGIN, ORIGIN]);
    // The first takes the ensure's lease; the others join the model's one shared lease.
    expect(started[0]?.lease.id).toBe(supervisor.ensureCalls[0]?.lease?.id);
    expect(started[1]?.lease.id).toBe(started[2]?.lease.id);
    expect(started[1]?.lease.id).not.toBe(started[0]?.lease.id);
    expect(supervisor.acquired).toEqual([{ model: 'qwen', id: started[1]?.lease.id }]);
    expect(starts.inFlight('qwen')).toBe(false);
    await afterCallbacks();
    expect(supervisor.released).toEqual([]);
  });

  it('sends a new ensure for a request that comes after the last start was answered', async () => {
    const { supervisor, starts, cue } = flights();
    const signal = new AbortController().signal;
    cue.ready(ORIGIN);
    await starts.wait('qwen', 5_000, signal);
    await starts.wait('qwen', 5_000, signal);
    expect(supervisor.ensureCalls).toHaveLength(2);
  });

  it('gives every waiter the same start failure and releases the ensure lease', async () => {
    const { supervisor, leases, starts, cue } = flights();
    const signal = new AbortController().signal;
    const waits = [1, 2, 3].map(() =>
      starts.wait('qwen', 5_000, signal).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    const failure = new GatewayError(ErrorCodes.MODEL_START_FAILED, 'qwen exited during load');
    cue.fail(failure);
    expect(await Promise.all(waits)).toEqual([failure, failure, failure]);
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(supervisor.released).toEqual([supervisor.ensureCalls[0]?.lease?.id]);
    expect(supervisor.acquired).toEqual([]);
    expect(leases.active).toBe(0);
    expect(starts.inFlight('qwen')).toBe(false);
  });

  it('drops only the waiter that gives up; the first still there takes the ensure lease', async () => {
    const { supervisor, starts, cue } = flights();
    const gone = new AbortController();
    const signal = new AbortController().signal;
    const first = starts.wait('qwen', 5_000, gone.signal);
    const second = starts.wait('qwen', 5_000, signal);
    const third = starts.wait('qwen', 5_000, signal);
    const reason = new Error('client disconnected');
    gone.abort(reason);
    await expect(first).rejects.toBe(reason);
    expect(starts.inFlight('qwen')).toBe(true);
    cue.ready(ORIGIN);
    const [a, b] = await Promise.all([second, third]);
    expect(supervisor.ensureCalls).toHaveLength(1);
    expect(a.lease.id).toBe(supervisor.ensureCalls[0]?.lease?.id);
    expect(b.lease.id).not.toBe(a.lease.id);
    await afterCallbacks();
    expect(supervisor.released).toEqual([]);
  });

  it('gives the ensure lease back once answered when every waiter gave up', async () => {
    const { supervisor, leases, starts, cue } = flights();
    const gone = new AbortController();
    const first = starts.wait('qwen', 5_000, gone.signal);
    gone.abort(new Error('client disconnected'));
    await expect(first).rejects.toThrow('client disconnected');
    // Not before the answer: a release that overtook the ensure would leave its lease behind.
    expect(supervisor.released).toEqual([]);
    cue.ready(ORIGIN);
    await afterCallbacks();
    expect(supervisor.released).toEqual([supervisor.ensureCalls[0]?.lease?.id]);
    expect(leases.active).toBe(0);
  });

  it('rejects at once a waiter whose request was already aborted, without an ensure of its own', async () => {
    const { supervisor, starts } = flights();
    const signal = new AbortController().signal;
    void starts.wait('qwen', 5_000, signal);
    const aborted = AbortSignal.abort(new Error('too late'));
    await expect(starts.wait('qwen', 5_000, aborted)).rejects.toThrow('too late');
    expect(supervisor.ensureCalls).toHaveLength(1);
  });
});
