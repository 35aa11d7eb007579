import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import { FakeSupervisor } from '../testing/fake-supervisor.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaseManager } from './lease-manager.js';

function manager() {
  const supervisor = new FakeSupervisor();
  const clock = new ManualClock();
  const leases = new LeaseManager({
    supervisor,
    renewEveryMs: 20_000,
    logger: silentLogger,
    clock,
    holder: 'proxy:test',
  });
  return { supervisor, clock, leases };
}

describe('LeaseManager', () => {
  it('gives every lease a unique id under this proxy’s holder name', () => {
    const { leases } = manager();
    const a = leases.open('qwen');
    const b = leases.open('qwen');
    expect(a.id).not.toBe(b.id);
    expect(leases.claim(a)).toEqual({ id: a.id, holder: 'proxy:test' });
    expect(leases.active).toBe(2);
  });

  it('releases a lease once, however often release is called', async () => {
    const { leases, supervisor } = manager();
    const lease = leases.open('qwen');
    leases.acquireInBackground(lease);
    leases.release(lease);
    leases.release(lease);
    await supervisor.waitForRelease(lease.id);
    expect(supervisor.acquired).toEqual([{ model: 'qwen', id: lease.id }]);
    expect(supervisor.released).toEqual([lease.id]);
    expect(leases.active).toBe(0);
  });

  it('sends a release only after the acquire it follows was answered', async () => {
    const { leases, supervisor } = manager();
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
    const lease = leases.open('qwen');
    leases.acquireInBackground(lease);
    leases.release(lease);
    expect(order).toEqual([`acquire ${lease.id}`]);
    answerAcquire();
    await supervisor.waitForRelease(lease.id);
    expect(order).toEqual([`acquire ${lease.id}`, `release ${lease.id}`]);
  });

  it('renews its leases periodically while it holds any, and not when it holds none', () => {
    const { leases, supervisor, clock } = manager();
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual([]);
    const lease = leases.open('qwen');
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test']);
    clock.advance(20_000);
    expect(supervisor.renewals).toEqual(['proxy:test', 'proxy:test']);
    leases.release(lease);
    clock.advance(20_000);
    expect(supervisor.renewals).toHaveLength(2);
  });

  it('releases every lease still held when closed, and stops renewing', async () => {
    const { leases, supervisor, clock } = manager();
    const a = leases.open('qwen');
    const b = leases.open('llama');
    await leases.close();
    expect(supervisor.released.sort()).toEqual([a.id, b.id].sort());
    clock.advance(60_000);
    expect(supervisor.renewals).toEqual([]);
  });
});
