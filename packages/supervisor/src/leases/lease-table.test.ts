import { describe, expect, it } from 'vitest';
import { LeaseTable } from './lease-table.js';

function table(ttl = 1_000) {
  let now = 0;
  const counts: Array<[string, number]> = [];
  const t = new LeaseTable(
    ttl,
    () => now,
    (m, c) => counts.push([m, c]),
  );
  return { t, counts, advance: (ms: number) => (now += ms) };
}

describe('lease table', () => {
  it('counts leases per model and reports every change', () => {
    const { t, counts } = table();
    t.acquire('1', 'a', 'p1');
    t.acquire('2', 'a', 'p1');
    t.acquire('3', 'b', 'p2');
    expect(t.count('a')).toBe(2);
    expect(t.release('1')).toBe(true);
    expect(t.release('1')).toBe(false);
    expect(counts).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['a', 1],
    ]);
  });

  it('acquiring the same id twice counts once', () => {
    const { t } = table();
    t.acquire('1', 'a', 'p');
    t.acquire('1', 'a', 'p');
    expect(t.count('a')).toBe(1);
  });

  it('leases of a holder that stops renewing expire; renewed ones stay', () => {
    const { t, advance } = table(1_000);
    t.acquire('alive', 'a', 'live-proxy');
    t.acquire('dead', 'a', 'dead-proxy');
    advance(600);
    expect(t.renew('live-proxy')).toBe(1);
    advance(600);
    expect(t.expire()).toBe(1);
    expect(t.count('a')).toBe(1);
    advance(1_000);
    expect(t.expire()).toBe(1);
    expect(t.count('a')).toBe(0);
  });
});
