import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaseManager } from './lease-manager.js';

const LINGER_MS = 200;

function manager(lingerMs = LINGER_MS) {
  const supervisor = new FakeSupervisor();
  const clock = new ManualClock();
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: 20_000,
    logger: silentLogger,
    clock,
    holder: 'proxy:test',
    lingerMs,
  });
  return { supervisor, clock, leases };
}

/** Lets the background acquire's answer and the release it unblocks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('LeaseManager', () => {
  it('gives every dedicated lease a unique id under this proxy’s holder name', () => {
    const { leases } = manager();
    const a = leases.open('qwen');
    const b = leases.open('qwen');
    expect(a.id).not.toBe(b.id);
    expect(leases.claim(a)).toEqual({ id: a.id, holder: 'proxy:test' });
    expect(leases.active).toBe(2);
  });

  it('releases a dedicated lease at once, and once however often release is called', async () => {
    const { leases, supervisor } = manager();
    const lease = leases.open('qwen');
    leases.release(lease);
    leases.release(lease);
    await supervisor.waitForRelease(lease.id);
    expect(supervisor.released).toEqual([lease.id]);
    expect(supervisor.acquired).toEqual([]);
    expect(leases.active).toBe(0);
  });

  it('shares one supervisor lease among the requests in flight to a model', () => {
    const { leases, supervisor } = manager();
    const a = leases.hold('qwen');
    const b = leases.hold('qwen');
    const other = leases.hold('llama');
    expect(a.id).toBe(b.id);
    expect(other.id).not.toBe(a.id);
    expect(supervisor.acquired).toEqual([
      { model: 'qwen', id: a.id },
      { model: 'llama', id: other.id },
    ]);
    expect(leases.active).toBe(2);
  });

  it('keeps the shared lease while any request holds it, and releases it the linger time after the last', async () => {
    const { leases, supervisor, clock } = manager();
    const a = leases.hold('qwen');
    const b = leases.hold('qwen');
    leases.release(a);
    leases.release(a);
    clock.advance(LINGER_MS * 10);
    await settle();
    expect(supervisor.released).toEqual([]);
    expect(leases.active).toBe(1);
    leases.release(b);
    clock.advance(LINGER_MS - 1);
    await settle();
    expect(supervisor.released).toEqual([]);
    clock.advance(1);
    await supervisor.waitForRelease(a.id);
    expect(supervisor.released).toEqual([a.id]);
    expect(leases.active).toBe(0);
  });

  it('sends no control message for back-to-back requests within the linger time', async () => {
    const { leases, supervisor, clock } = manager();
    for (let i = 0; i < 100; i++) {
      const hold = leases.hold('qwen');
      clock.advance(LINGER_MS / 2);
      leases.release(hold);
      clock.advance(LINGER_MS - 1);
    }
    await settle();
    expect(supervisor.acquired).toHaveLength(1);
    expect(supervisor.released).toEqual([]);
    clock.advance(1);
    await settle();
    expect(supervisor.released).toHaveLength(1);
    // The next request after the release takes a new lease.
    const next = leases.hold('qwen');
    expect(next.id).not.toBe(supervisor.released[0]);
    expect(supervisor.acquired).toHaveLength(2);
  });

  it('releases the shared lease at once when the linger is 0', async () => {
    const { leases, supervisor } = manager(0);
    const hold = leases.hold('qwen');
    leases.release(hold);
    await supervisor.waitForRelease(hold.id);
    expect(leases.active).toBe(0);
  });

  it('sends a release only after the acquire it follows was answered', async () => {
    const { leases, supervisor, clock } = manager();
    const order: string[] = [];
    let answerAcquire: () => void = () => {};
    supervisor.acquireLease = (_model, claim) => {
      order.push(`acquire ${claim.id}`);
      return new Promise<void>((resolve) => (answerAcquire = resolve));
    };
    const release = supervisor.releaseLease.bind(supervisor);
    supervisor.releaseLease = (id) => {
      order.push(`release ${id}`);
      return release(id);
    };
    const hold = leases.hold('qwen');
    leases.release(hold);
    clock.advance(LINGER_MS);
    await settle();
    expect(order).toEqual([`acquire ${hold.id}`]);
    answerAcquire();
    await supervisor.waitForRelease(hold.id);
    expect(order).toEqual([`acquire ${hold.id}`, `release ${hold.id}`]);
  });

  it('takes a new shared lease after an acquire failed, and releases the failed one', async () => {
    const { leases, supervisor, clock } = manager();
    supervisor.acquireLease = () => Promise.reject(new Error('supervisor unreachable'));
    const first = leases.hold('qwen');
    await settle();
    const second = leases.hold('qwen');
    expect(second.id).not.toBe(first.id);
    leases.release(first);
    await supervisor.waitForRelease(first.id);
    leases.release(second);
    clock.advance(LINGER_MS);
    await settle();
    expect(leases.active).toBe(0);
  });

  it('renews its leases periodically while it holds any, lingering ones included, and not when it holds none', async () => {
    const { leases, supervisor, clock } = manager(30_000);
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual([]);
    const hold = leases.hold('qwen');
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test']);
    leases.release(hold);
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test', 'proxy:test']);
    clock.advance(10_000);
    await supervisor.waitForRelease(hold.id);
    clock.advance(20_000);
    expect(supervisor.renewals).toHaveLength(2);
  });

  it('takes each shared lease again on renewal, so a restarted supervisor learns of it', async () => {
    const { leases, supervisor, clock } = manager();
    const shared = leases.hold('qwen');
    const dedicated = leases.open('llama');
    await settle();
    clock.advance(20_000);
    await settle();
    expect(supervisor.acquired).toEqual([
      { model: 'qwen', id: shared.id },
      { model: 'qwen', id: shared.id },
    ]);
    expect(supervisor.acquired.map((a) => a.id)).not.toContain(dedicated.id);
  });

  it('releases every lease still held when closed, lingering ones included, and stops renewing', async () => {
    const { leases, supervisor, clock } = manager();
    const a = leases.open('qwen');
    const b = leases.hold('llama');
    const c = leases.hold('qwen');
    leases.release(c);
    await leases.close();
    expect(supervisor.released.sort()).toEqual([a.id, b.id, c.id].sort());
    clock.advance(60_000);
    expect(supervisor.renewals).toEqual([]);
    expect(supervisor.released).toHaveLength(3);
  });
});
